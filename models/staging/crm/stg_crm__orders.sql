with

rows as (

    select * from {{ ref('base_crm__orders') }}

),

final as (

    select
        order_id,
        customer_id,
        order_date,
        amount,
        product_category,
        status,
        rep_id,
        updated_at,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
