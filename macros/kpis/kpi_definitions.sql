{% macro kpi_definitions() -%}
    {#- The KPIs of business_rules.md (效果评估) as computed by int_kpi_measures_unioned and
        int_kpi_values_aggregated: how the value is formed from the summed numerator and
        denominator (ratio = numerator / denominator, per_hundred = 100 x numerator /
        denominator, median = median of the records' measure_value), whether monthly
        numerators and denominators add up to the quarter's (is_additive), and the
        dimensions it is published by. Names, direction and targets live in seed
        policy_kpi_targets; this list must name the same codes (tested). -#}
    {%- set customer_dimensions = ['all', 'team', 'owner_rep_id', 'segment', 'value_tier'] -%}
    {%- set rep_dimensions = ['all', 'team', 'owner_rep_id'] -%}
    {{ return([
        {'code': 'csat_avg', 'value_kind': 'ratio', 'is_additive': true, 'dimensions': customer_dimensions},
        {'code': 'satisfaction_rate', 'value_kind': 'ratio', 'is_additive': true, 'dimensions': customer_dimensions},
        {'code': 'nps', 'value_kind': 'per_hundred', 'is_additive': true, 'dimensions': customer_dimensions},
        {'code': 'churn_rate', 'value_kind': 'ratio', 'is_additive': false, 'dimensions': customer_dimensions},
        {'code': 'repurchase_rate', 'value_kind': 'ratio', 'is_additive': false, 'dimensions': customer_dimensions},
        {'code': 'complaint_resolution_rate', 'value_kind': 'ratio', 'is_additive': true, 'dimensions': customer_dimensions},
        {'code': 'complaint_sla_rate', 'value_kind': 'ratio', 'is_additive': true, 'dimensions': customer_dimensions},
        {'code': 'winback_rate', 'value_kind': 'ratio', 'is_additive': false, 'dimensions': customer_dimensions},
        {'code': 'avg_order_value', 'value_kind': 'ratio', 'is_additive': true, 'dimensions': customer_dimensions},
        {'code': 'cross_sell_share', 'value_kind': 'ratio', 'is_additive': true, 'dimensions': customer_dimensions},
        {'code': 'lead_conversion_rate', 'value_kind': 'ratio', 'is_additive': true, 'dimensions': rep_dimensions},
        {'code': 'lead_sla_rate', 'value_kind': 'ratio', 'is_additive': true, 'dimensions': rep_dimensions},
        {'code': 'sales_cycle_days', 'value_kind': 'median', 'is_additive': false, 'dimensions': customer_dimensions},
        {'code': 'cadence_compliance_rate', 'value_kind': 'ratio', 'is_additive': true, 'dimensions': customer_dimensions},
        {'code': 'logging_sla_rate', 'value_kind': 'ratio', 'is_additive': true, 'dimensions': customer_dimensions},
        {'code': 'profile_completeness', 'value_kind': 'ratio', 'is_additive': false, 'dimensions': customer_dimensions},
    ]) }}
{%- endmacro %}
