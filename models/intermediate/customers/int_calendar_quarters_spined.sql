{#- Calendar quarters from the quarter of the earliest customer or order date up to the
    last quarter ended before the quarter containing the as-of date. The spine is cheap (one row per quarter); customers are
    joined to it by range. -#}
{%- set earliest_date -%}
    least(
        coalesce(
            (
                select min(customers.acquired_at)
                from {{ ref('stg_crm__customers') }} as customers
                where customers.acquired_at <= {{ crm_as_of_date() }}
            ),
            {{ crm_as_of_date() }}
        ),
        coalesce(
            (
                select min(orders.order_date)
                from {{ ref('stg_crm__orders') }} as orders
                where orders.order_date <= {{ crm_as_of_date() }}
            ),
            {{ crm_as_of_date() }}
        )
    )
{%- endset -%}

with

quarter_starts as (

    {{ crm_date_spine(
        datepart="quarter",
        start_date=dbt.date_trunc("quarter", earliest_date),
        end_date=dbt.date_trunc("quarter", crm_as_of_date()),
    ) }}

),

final as (

    select
        period_start as quarter_start,
        cast({{ dbt.last_day('period_start', 'quarter') }} as date) as quarter_end
    from quarter_starts

)

select * from final
