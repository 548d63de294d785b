{% macro crm_personal_data_findings(scans) -%}
    {#- SQL returning, for every scanned text column and every pattern of
        crm_personal_data_patterns(), how many rows match:
        model_name, column_name, pattern_name, matching_rows (0 included).
        scans: list of {'model': name, 'relation': a relation or a parenthesised subquery
        with alias, 'columns': [text column names]}. Each column is grouped by value and each
        distinct value matched once (a column of codes repeated over millions of rows costs
        a handful of matches). -#}
    {%- set patterns = crm_personal_data_patterns() -%}
    {%- set pattern_names = patterns.keys() | sort -%}
    {%- if scans | length == 0 -%}
        select
            cast(null as {{ dbt.type_string() }}) as model_name,
            cast(null as {{ dbt.type_string() }}) as column_name,
            cast(null as {{ dbt.type_string() }}) as pattern_name,
            cast(0 as {{ dbt.type_bigint() }}) as matching_rows
        where 1 = 0
    {%- else -%}
        {%- for scan in scans %}
        {%- set scan_loop = loop %}
        {%- for column in scan.columns %}
        {%- set column_loop = loop %}
        select * from (
            with column_values as (
                -- each distinct value once, with its row count: a column of codes or labels
                -- repeated over millions of rows is matched a handful of times
                select
                    {{ adapter.quote(column) }} as scanned_value,
                    count(*) as value_rows
                from {{ scan.relation }}
                group by {{ adapter.quote(column) }}
            )
            {%- for pattern_name in pattern_names %}
            select
                '{{ scan.model }}' as model_name,
                '{{ column }}' as column_name,
                '{{ pattern_name }}' as pattern_name,
                cast(coalesce(sum(
                    case
                        when {{ crm_regexp_matches('scanned_value', patterns[pattern_name]) }} then value_rows
                        else 0
                    end
                ), 0) as {{ dbt.type_bigint() }}) as matching_rows
            from column_values
            {{ 'union all' if not loop.last }}
            {%- endfor %}
        ) as scan_{{ scan_loop.index }}_{{ column_loop.index }}
        {{ 'union all' if not (loop.last and scan_loop.last) }}
        {%- endfor %}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
