with

rows as (

    select * from {{ ref('base_crm__tickets') }}

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
        ticket_id,
        customer_id,
        ticket_type,
        category,
        severity,
        opened_at,
        first_response_at,
        resolved_at,
        status,
        assignee_rep_id
    from rows
    where _row_status = 'quarantined'

)

select * from final
