{% macro crm_string_agg(expr, delimiter, order_by) -%}
    {#- Aggregate text values into one delimited string, ordered by `order_by` (an SQL
        expression). Ordered string aggregation is spelled differently per engine. -#}
    {{ return(adapter.dispatch('crm_string_agg', 'crmwh')(expr, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__crm_string_agg(expr, delimiter, order_by) -%}
    string_agg({{ expr }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}

{% macro spark__crm_string_agg(expr, delimiter, order_by) -%}
    array_join(
        transform(
            array_sort(collect_list(struct({{ order_by }} as sort_key, {{ expr }} as agg_value))),
            x -> x.agg_value
        ),
        '{{ delimiter }}'
    )
{%- endmacro %}
