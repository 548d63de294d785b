with

rows as (

    select * from {{ ref('base_crm__tickets') }}

),

final as (

    select
        ticket_id,
        customer_id,
        ticket_type,
        category,
        severity,
        opened_at,
        first_response_at,
        resolved_at,
        status,
        assignee_rep_id,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
