with

rows as (

    select * from {{ ref('base_crm__tier_reviews') }}

),

final as (

    select
        _load_id,
        _source_file,
        _file_sha256,
        _row_number,
        _loaded_at,
        _quarantine_reason,
        _quarantine_column,
        _quarantine_value,
        _raw_line,
        review_id,
        customer_id,
        reviewed_on,
        from_tier,
        to_tier,
        requested_by,
        approved_by,
        approved_at
    from rows
    where _row_status = 'quarantined'

)

select * from final
