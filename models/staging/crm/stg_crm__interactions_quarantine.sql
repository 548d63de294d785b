with

rows as (

    select * from {{ ref('base_crm__interactions') }}

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
        interaction_id,
        customer_id,
        rep_id,
        occurred_at,
        logged_at,
        channel,
        direction,
        summary,
        customer_feedback,
        next_action,
        next_action_due
    from rows
    where _row_status = 'quarantined'

)

select * from final
