{% macro kpi_mart(period_grain) -%}
    {#- The body of the KPI marts (mart_kpi_monthly, mart_kpi_quarterly): one grain of
        int_kpi_values_aggregated with the Chinese label of every code beside it. -#}
with

kpi_values as (

    select * from {{ ref('int_kpi_values_aggregated') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

final as (

    select
        kpi_values.kpi_code,
        kpi_values.kpi_name_zh,
        kpi_values.kpi_name_en,
        kpi_values.unit,
        kpi_values.period_start,
        kpi_values.period_end,
        kpi_values.period_label,
        kpi_values.is_closed_period,
        kpi_values.dimension,
        dimension_codes.label_zh as dimension_label_zh,
        kpi_values.dimension_value,
        case kpi_values.dimension
            when 'all' then dimension_codes.label_zh
            when 'team' then kpi_values.dimension_value
            when 'owner_rep_id' then sales_reps.rep_name
            else value_codes.label_zh
        end as dimension_value_label_zh,
        kpi_values.kpi_value as value,  -- noqa: RF04
        kpi_values.numerator,
        kpi_values.denominator,
        kpi_values.record_count,
        kpi_values.is_additive,
        kpi_values.baseline_value,
        kpi_values.change_value,
        kpi_values.change_pct,
        kpi_values.previous_year_value,
        kpi_values.target_type,
        target_type_codes.label_zh as target_type_label_zh,
        kpi_values.target_value,
        kpi_values.direction,
        direction_codes.label_zh as direction_label_zh,
        kpi_values.is_met,
        {{ crm_as_of_date() }} as as_of_date
    from kpi_values
    left join codes as dimension_codes
        on kpi_values.dimension = dimension_codes.code and dimension_codes.code_list = 'kpi_dimension'
    left join codes as value_codes
        on kpi_values.dimension_value = value_codes.code and kpi_values.dimension = value_codes.code_list
    -- an equi-join only (rep_id is unique): a condition on kpi_values.dimension in the ON
    -- clause made DuckDB plan a nested-loop join (20 s for 1.9 M rows at 100,000 customers);
    -- the case above reads rep_name for the owner_rep_id dimension only
    left join sales_reps
        on kpi_values.dimension_value = sales_reps.rep_id
    left join codes as target_type_codes
        on kpi_values.target_type = target_type_codes.code and target_type_codes.code_list = 'kpi_target_type'
    left join codes as direction_codes
        on kpi_values.direction = direction_codes.code and direction_codes.code_list = 'kpi_direction'
    where kpi_values.period_grain = '{{ period_grain }}'

)

select * from final
{%- endmacro %}
