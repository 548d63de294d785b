{% macro crm_parse_money(expr) -%}
    {#- CNY amounts as CRMs export them: `1250.00`, `1,250.00`, `¥1,250.00`, `1250 元`. -#}
    {{ crm_try_cast(
        "nullif(" ~ dbt.replace(dbt.replace(dbt.replace(dbt.replace(dbt.replace(
            "trim(" ~ expr ~ ")", "','", "''"), "'¥'", "''"), "'￥'", "''"), "'元'", "''"), "' '", "''")
        ~ ", '')",
        "decimal(18, 2)"
    ) }}
{%- endmacro %}
