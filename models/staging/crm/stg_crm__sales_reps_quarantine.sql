with

rows as (

    select * from {{ ref('base_crm__sales_reps') }}

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
        rep_id,
        rep_name,
        team,
        region,
        role,
        manager_id,
        is_active,
        hired_at
    from rows
    where _row_status = 'quarantined'

)

select * from final
