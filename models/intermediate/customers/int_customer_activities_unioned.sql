{#- The dated activities that drive a customer's state, as of the night being built:
    completed orders, complaint tickets and NPS survey responses. Nothing dated after
    crm_as_of_date() is kept. -#}

with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

orders as (

    select * from {{ ref('stg_crm__orders') }}

),

tickets as (

    select * from {{ ref('stg_crm__tickets') }}

),

surveys as (

    select * from {{ ref('stg_crm__surveys') }}

),

completed_orders as (

    select
        orders.customer_id,
        orders.order_id,
        orders.order_date,
        orders.amount,
        row_number() over (
            partition by orders.customer_id, {{ dbt.date_trunc('quarter', 'orders.order_date') }}
            order by orders.order_date, orders.order_id
        ) as order_number_in_quarter
    from orders
    inner join customers on orders.customer_id = customers.customer_id
    where
        orders.status = 'completed'
        and orders.order_date <= {{ crm_as_of_date() }}

),

complaints as (

    select
        tickets.customer_id,
        tickets.ticket_id,
        cast(tickets.opened_at as date) as opened_on
    from tickets
    inner join customers on tickets.customer_id = customers.customer_id
    where
        tickets.ticket_type = 'complaint'
        and cast(tickets.opened_at as date) <= {{ crm_as_of_date() }}

),

nps_responses as (

    select
        surveys.customer_id,
        surveys.response_id,
        cast(surveys.responded_at as date) as responded_on,
        {{ crm_nps_category('surveys.nps_score') }} as nps_category
    from surveys
    inner join customers on surveys.customer_id = customers.customer_id
    where
        surveys.nps_score is not null
        and cast(surveys.responded_at as date) <= {{ crm_as_of_date() }}

),

unioned as (

    select
        customer_id,
        'order' as activity_type,
        order_id as activity_id,
        order_date as activity_date,
        amount as order_amount,
        1 as is_order,
        case when order_number_in_quarter = 1 then 1 else 0 end as is_first_order_in_quarter,
        0 as is_complaint,
        0 as is_nps_response,
        0 as is_promoter,
        0 as is_detractor
    from completed_orders

    union all

    select
        customer_id,
        'complaint' as activity_type,
        ticket_id as activity_id,
        opened_on as activity_date,
        0 as order_amount,
        0 as is_order,
        0 as is_first_order_in_quarter,
        1 as is_complaint,
        0 as is_nps_response,
        0 as is_promoter,
        0 as is_detractor
    from complaints

    union all

    select
        customer_id,
        'nps_response' as activity_type,
        response_id as activity_id,
        responded_on as activity_date,
        0 as order_amount,
        0 as is_order,
        0 as is_first_order_in_quarter,
        0 as is_complaint,
        1 as is_nps_response,
        case when nps_category = 'promoter' then 1 else 0 end as is_promoter,
        case when nps_category = 'detractor' then 1 else 0 end as is_detractor
    from nps_responses

),

final as (

    select
        customer_id,
        activity_type,
        activity_id,
        activity_date,
        cast(order_amount as {{ dbt.type_numeric() }}) as order_amount,
        is_order,
        is_first_order_in_quarter,
        is_complaint,
        is_nps_response,
        is_promoter,
        is_detractor
    from unioned

)

select * from final
