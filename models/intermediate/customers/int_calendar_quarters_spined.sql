{#- Calendar quarters from the quarter of the earliest customer or order date up to the
    quarter containing the as-of date. The spine is cheap (one row per quarter); customers are
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

    {{ dbt.date_spine(
        datepart="quarter",
        start_date="cast(" ~ dbt.date_trunc("quarter", earliest_date) ~ " as date)",
        end_date="cast(" ~ dbt.date_trunc("quarter", crm_as_of_date()) ~ " as date)",
    ) }}

),

final as (

    select
        cast(date_quarter as date) as quarter_start,
        cast({{ dbt.last_day('date_quarter', 'quarter') }} as date) as quarter_end
    from quarter_starts

)

select * from final
