{#- KPI periods (calendar months and quarters) from the month of the first dated activity
    (order, interaction, ticket, survey, lead or opportunity) up to the period containing the
    as-of date. Customer records alone (acquired_at) do not open the history: before the
    first activity every KPI would be empty. -#}
{%- set activity_dates = [
    ('stg_crm__orders', 'order_date'),
    ('stg_crm__interactions', 'occurred_at'),
    ('stg_crm__tickets', 'opened_at'),
    ('stg_crm__surveys', 'responded_at'),
    ('stg_crm__leads', 'created_at'),
    ('stg_crm__opportunities', 'created_at'),
] -%}
{%- set earliest_terms = [] -%}
{%- for model_name, column_name in activity_dates -%}
    {%- do earliest_terms.append(
        "coalesce((select min(cast(" ~ column_name ~ " as date)) from " ~ ref(model_name)
        ~ " where cast(" ~ column_name ~ " as date) <= " ~ crm_as_of_date() ~ "), " ~ crm_as_of_date() ~ ")"
    ) -%}
{%- endfor -%}
{%- set earliest_date = "least(" ~ earliest_terms | join(", ") ~ ")" -%}

with

month_starts as (

    {{ crm_date_spine(
        datepart="month",
        start_date=dbt.date_trunc("month", earliest_date),
        end_date=dbt.dateadd("month", 1, dbt.date_trunc("month", crm_as_of_date())),
    ) }}

),

months as (

    select
        'month' as period_grain,
        month_starts.period_start,
        cast({{ dbt.last_day('month_starts.period_start', 'month') }} as date) as period_end
    from month_starts

),

quarters as (

    select
        'quarter' as period_grain,
        cast({{ dbt.date_trunc('quarter', 'period_start') }} as date) as period_start,
        cast({{ dbt.last_day(dbt.date_trunc('quarter', 'period_start'), 'quarter') }} as date) as period_end
    from months
    group by
        cast({{ dbt.date_trunc('quarter', 'period_start') }} as date),
        cast({{ dbt.last_day(dbt.date_trunc('quarter', 'period_start'), 'quarter') }} as date)

),

periods as (

    select * from months
    union all
    select * from quarters

),

final as (

    select
        period_grain,
        period_start,
        period_end,
        -- the last day that counts: the period end, or the as-of date in the current period
        case
            when period_end < {{ crm_as_of_date() }} then period_end
            else {{ crm_as_of_date() }}
        end as effective_end,
        -- the state "at period start" is the state at the end of the day before
        cast({{ dbt.dateadd('day', -1, 'period_start') }} as date) as day_before_start,
        period_end < {{ crm_as_of_date() }} as is_closed_period,
        case
            when period_grain = 'month'
                then {{ dbt.concat([
                    dbt.safe_cast("extract(year from period_start)", dbt.type_string()),
                    "'-'",
                    "case when extract(month from period_start) < 10 then '0' else '' end",
                    dbt.safe_cast("extract(month from period_start)", dbt.type_string()),
                ]) }}
            else {{ dbt.concat([
                dbt.safe_cast("extract(year from period_start)", dbt.type_string()),
                "'-Q'",
                dbt.safe_cast("extract(quarter from period_start)", dbt.type_string()),
            ]) }}
        end as period_label
    from periods

)

select * from final
