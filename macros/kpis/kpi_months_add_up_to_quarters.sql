{% test kpi_months_add_up_to_quarters(model, monthly, additive_kpis=none) %}
    {#- Applied to the quarterly KPI mart: for every additive KPI (numerator and denominator
        are sums over records dated in the period), every dimension value and every quarter,
        the numerators and denominators of the quarter's months add up to the quarter's.
        Fails with one row per KPI, dimension value and quarter that does not. The additive
        KPIs are those of kpi_definitions() with is_additive unless `additive_kpis` lists them. -#}
    {%- if additive_kpis is none -%}
        {%- set additive_kpis = [] -%}
        {%- for kpi in kpi_definitions() if kpi.is_additive -%}
            {%- do additive_kpis.append(kpi.code) -%}
        {%- endfor -%}
    {%- endif %}
    with

    quarters as (

        select * from {{ model }}

    ),

    months as (

        select * from {{ monthly }}

    ),

    months_summed as (

        select
            kpi_code,
            dimension,
            dimension_value,
            cast({{ dbt.date_trunc('quarter', 'period_start') }} as date) as quarter_start,
            sum(coalesce(numerator, 0)) as month_numerator,
            sum(coalesce(denominator, 0)) as month_denominator
        from months
        group by
            kpi_code,
            dimension,
            dimension_value,
            cast({{ dbt.date_trunc('quarter', 'period_start') }} as date)

    ),

    compared as (

        select
            quarters.kpi_code,
            quarters.dimension,
            quarters.dimension_value,
            quarters.period_start,
            coalesce(quarters.numerator, 0) as quarter_numerator,
            coalesce(quarters.denominator, 0) as quarter_denominator,
            coalesce(months_summed.month_numerator, 0) as month_numerator,
            coalesce(months_summed.month_denominator, 0) as month_denominator
        from quarters
        left join months_summed
            on
                quarters.kpi_code = months_summed.kpi_code
                and quarters.dimension = months_summed.dimension
                and quarters.dimension_value = months_summed.dimension_value
                and quarters.period_start = months_summed.quarter_start
        where quarters.kpi_code in ('{{ additive_kpis | join("', '") }}')

    )

    select * from compared
    where
        abs(quarter_numerator - month_numerator) > 0.005
        or abs(quarter_denominator - month_denominator) > 0.005
{% endtest %}
