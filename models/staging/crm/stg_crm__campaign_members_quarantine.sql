with

rows as (

    select * from {{ ref('base_crm__campaign_members') }}

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
        campaign_id,
        customer_id,
        invited_at,
        opened_at,
        registered_at,
        attended,
        feedback_score,
        feedback_negative
    from rows
    where _row_status = 'quarantined'

)

select * from final
