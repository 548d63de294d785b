{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {#- Overrides dbt-spark's dateadd, which writes `cast({{ interval }} * 3 as int)` without
        parentheses: an interval expression such as `row_number() over (...) - 1` (dbt's
        date_spine) became `row_number() - 3` for quarters. timestampadd returns a timestamp
        for a date or timestamp input, as DuckDB's `date + interval` does; months, quarters
        and years end on the last day of a shorter month (Jan 31 + 1 month = Feb 28). -#}
    {%- if datepart | lower not in ('year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second') -%}
        {{ exceptions.raise_compiler_error('spark__dateadd: datepart ' ~ datepart ~ ' is not supported') }}
    {%- endif -%}
    timestampadd({{ datepart | upper }}, cast(({{ interval }}) as int), {{ from_date_or_timestamp }})
{%- endmacro %}
