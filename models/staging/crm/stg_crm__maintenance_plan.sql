with

rows as (

    select * from {{ ref('base_crm__maintenance_plan') }}

),

final as (

    select
        plan_id,
        customer_id,
        rep_id,
        planned_date,
        channel,
        objective,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
