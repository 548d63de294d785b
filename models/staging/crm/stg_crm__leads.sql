with

rows as (

    select * from {{ ref('base_crm__leads') }}

),

final as (

    select
        lead_id,
        created_at,
        source,
        grade,
        owner_rep_id,
        first_contacted_at,
        status,
        converted_customer_id,
        converted_at,
        updated_at,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
