{#- Built incrementally (crm_reprocess_config): each night only the rows of changed customers
    and the rows still open on the last night (an order dated after the last night) are computed again. -#}
{%- set open_rows = 'order_date > {last_as_of}' -%}
{{ config(**crm_reprocess_config('customer_id', open_rows)) }}

with

orders as (

    select * from {{ ref('int_orders_sequenced') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

final as (

    select
        orders.order_id,
        orders.customer_id,
        orders.rep_id,
        orders.order_date,
        cast(orders.amount as decimal(18, 2)) as amount,
        orders.product_category,
        orders.status,
        status_codes.label_zh as status_label_zh,
        orders.is_completed,
        cast(orders.completed_order_seq as {{ dbt.type_int() }}) as completed_order_seq,
        orders.is_first_order,
        orders.is_repeat,
        orders.is_cross_sell,
        {{ crm_as_of_date() }} as as_of_date
    from orders
    left join codes as status_codes
        on
            status_codes.code_list = 'order_status'
            and orders.status = status_codes.code

)

select * from final
{%- if crm_is_incremental() %}
where {{ crm_reprocess_condition('customer_id', open_rows) }}
{%- endif %}
