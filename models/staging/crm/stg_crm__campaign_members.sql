with

rows as (

    select * from {{ ref('base_crm__campaign_members') }}

),

final as (

    select
        campaign_id,
        customer_id,
        invited_at,
        opened_at,
        registered_at,
        attended,
        feedback_score,
        feedback_negative,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
