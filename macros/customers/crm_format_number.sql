{% macro crm_format_number(expr) -%}
    {#- A number as display text with thousands separators: no decimals when the value is
        whole (520,000), else two (499,999.99). Used in the reason lines of the marts. -#}
    {{ return(adapter.dispatch('crm_format_number')(expr)) }}
{%- endmacro %}

{% macro default__crm_format_number(expr) -%}
    case
        when {{ expr }} = round({{ expr }}, 0)
            then cast(cast(round({{ expr }}, 0) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        else cast(round({{ expr }}, 2) as {{ dbt.type_string() }})
    end
{%- endmacro %}

{% macro duckdb__crm_format_number(expr) -%}
    case
        when {{ expr }} = round({{ expr }}, 0) then format('{:,.0f}', {{ expr }})
        else format('{:,.2f}', {{ expr }})
    end
{%- endmacro %}

{% macro postgres__crm_format_number(expr) -%}
    case
        when {{ expr }} = round({{ expr }}, 0) then to_char({{ expr }}, 'FM999,999,999,999,990')
        else to_char({{ expr }}, 'FM999,999,999,999,990.00')
    end
{%- endmacro %}

{% macro spark__crm_format_number(expr) -%}
    case
        when {{ expr }} = round({{ expr }}, 0) then format_number({{ expr }}, 0)
        else format_number({{ expr }}, 2)
    end
{%- endmacro %}
