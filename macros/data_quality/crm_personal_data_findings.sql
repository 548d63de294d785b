{% macro crm_personal_data_findings(scans) -%}
    {#- SQL returning, for every scanned text column and every pattern of
        crm_personal_data_patterns(), how many rows match:
        model_name, column_name, pattern_name, matching_rows (0 included).
        scans: list of {'model': name, 'relation': a relation or a parenthesised subquery
        with alias, 'columns': [text column names]}. One pass over each relation. -#}
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
        select * from (
            with counted as (
                select
                    {%- for column in scan.columns %}
                    {%- set column_index = loop.index %}
                    {%- for pattern_name in pattern_names %}
                    sum(
                        case
                            when {{ crm_regexp_matches(adapter.quote(column), patterns[pattern_name]) }} then 1
                            else 0
                        end
                    ) as hits_{{ column_index }}_{{ loop.index }},
                    {%- endfor %}
                    {%- endfor %}
                    count(*) as scanned_rows
                from {{ scan.relation }}
            )
            {%- for column in scan.columns %}
            {%- set column_index = loop.index %}
            {%- set column_loop = loop %}
            {%- for pattern_name in pattern_names %}
            select
                '{{ scan.model }}' as model_name,
                '{{ column }}' as column_name,
                '{{ pattern_name }}' as pattern_name,
                cast(coalesce(hits_{{ column_index }}_{{ loop.index }}, 0) as {{ dbt.type_bigint() }}) as matching_rows
            from counted
            {{ 'union all' if not (loop.last and column_loop.last) }}
            {%- endfor %}
            {%- endfor %}
        ) as scan_{{ loop.index }}
        {{ 'union all' if not loop.last }}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
