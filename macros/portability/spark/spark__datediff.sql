{% macro spark__datediff(first_date, second_date, datepart) -%}
    {#- Overrides dbt-spark's datediff, which rounds elapsed seconds up (10:00:59 -> 10:01:00
        is 1 minute there): like DuckDB's date_diff (and dbt's definition), this counts the
        datepart boundaries crossed between the two values: minutes from 10:00:59 to 10:01:00
        = 1, from 10:00:00 to 10:00:59 = 0; days between dates; months, quarters and years
        between their calendar numbers. Timestamps are read in the session time zone (UTC). -#}
    {%- set part = datepart | lower -%}
    {%- set seconds = {'second': 1, 'minute': 60, 'hour': 3600} -%}
    {%- if part in seconds -%}
        (
            floor(unix_timestamp(cast({{ second_date }} as timestamp)) / {{ seconds[part] }})
            - floor(unix_timestamp(cast({{ first_date }} as timestamp)) / {{ seconds[part] }})
        )
    {%- elif part == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif part in ('month', 'quarter', 'year') -%}
        {%- set per_year = {'month': 12, 'quarter': 4, 'year': 1}[part] -%}
        {%- set within = {'month': 'month', 'quarter': 'quarter', 'year': none}[part] -%}
        (
            (year({{ second_date }}) - year({{ first_date }})) * {{ per_year }}
            {%- if within %}
            + {{ within }}({{ second_date }}) - {{ within }}({{ first_date }})
            {%- endif %}
        )
    {%- else -%}
        {{ exceptions.raise_compiler_error('spark__datediff: datepart ' ~ datepart ~ ' is not supported') }}
    {%- endif -%}
{%- endmacro %}
