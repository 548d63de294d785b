with

rows as (

    select * from {{ ref('base_crm__leads') }}

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
        lead_id,
        created_at,
        source,
        grade,
        owner_rep_id,
        first_contacted_at,
        status,
        converted_customer_id,
        converted_at,
        updated_at
    from rows
    where _row_status = 'quarantined'

)

select * from final
