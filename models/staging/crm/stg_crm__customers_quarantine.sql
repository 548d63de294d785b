with

rows as (

    select * from {{ ref('base_crm__customers') }}

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
        customer_id,
        customer_name,
        industry,
        customer_type,
        contact_name,
        contact_title,
        phone,
        email,
        address,
        initial_need,
        lead_source,
        acquired_at,
        owner_rep_id,
        employee_count,
        annual_revenue,
        website,
        tags,
        is_strategic,
        contact_birthday,
        founded_on,
        updated_at
    from rows
    where _row_status = 'quarantined'

)

select * from final
