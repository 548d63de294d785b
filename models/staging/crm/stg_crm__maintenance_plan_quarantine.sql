with

rows as (

    select * from {{ ref('base_crm__maintenance_plan') }}

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
        plan_id,
        customer_id,
        rep_id,
        planned_date,
        channel,
        objective
    from rows
    where _row_status = 'quarantined'

)

select * from final
