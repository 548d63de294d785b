with

rows as (

    select * from {{ ref('base_crm__sales_reps') }}

),

final as (

    select
        rep_id,
        rep_name,
        team,
        region,
        role,
        manager_id,
        is_active,
        hired_at,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
