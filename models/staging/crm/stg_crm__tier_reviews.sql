with

rows as (

    select * from {{ ref('base_crm__tier_reviews') }}

),

final as (

    select
        review_id,
        customer_id,
        reviewed_on,
        from_tier,
        to_tier,
        requested_by,
        approved_by,
        approved_at,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
