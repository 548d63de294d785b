with

rows as (

    select * from {{ ref('base_crm__customers') }}

),

final as (

    select
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
        updated_at,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
