{{ config(materialized='table', schema='intermediate') }}
{#- MetricFlow time spine (one row per day) for the semantic layer, from the built-in
    dbt.date_spine: 20 years before the as-of year up to the end of the year after it. -#}
{%- set as_of_year = dbt.date_trunc('year', crm_as_of_date()) -%}

with

days as (

    {{ dbt.date_spine(
        datepart="day",
        start_date="cast(" ~ dbt.dateadd("year", -20, as_of_year) ~ " as date)",
        end_date="cast(" ~ dbt.dateadd("year", 2, as_of_year) ~ " as date)",
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
