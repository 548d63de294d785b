with

orders as (

    select * from {{ ref('stg_crm__orders') }}

),

orders_as_of as (

    select
        order_id,
        customer_id,
        rep_id,
        order_date,
        amount,
        product_category,
        status
    from orders
    where order_date <= {{ crm_as_of_date() }}

),

completed_orders_ranked as (

    select
        order_id,
        row_number() over (
            partition by customer_id
            order by order_date, order_id
        ) as completed_order_seq,
        row_number() over (
            partition by customer_id, product_category
            order by order_date, order_id
        ) as category_order_seq
    from orders_as_of
    where status = 'completed'

),

final as (

    select
        orders_as_of.order_id,
        orders_as_of.customer_id,
        orders_as_of.rep_id,
        orders_as_of.order_date,
        orders_as_of.amount,
        orders_as_of.product_category,
        orders_as_of.status,
        orders_as_of.status = 'completed' as is_completed,
        completed_orders_ranked.completed_order_seq,
        completed_orders_ranked.category_order_seq,
        coalesce(completed_orders_ranked.completed_order_seq = 1, false) as is_first_order,
        coalesce(completed_orders_ranked.completed_order_seq > 1, false) as is_repeat,
        coalesce(
            completed_orders_ranked.completed_order_seq > 1
            and completed_orders_ranked.category_order_seq = 1
            and orders_as_of.product_category is not null,
            false
        ) as is_cross_sell
    from orders_as_of
    left join completed_orders_ranked
        on orders_as_of.order_id = completed_orders_ranked.order_id

)

select * from final
