{% macro spark__crm_parse_timestamp(expr) -%}
    {#- Spark version of duckdb__crm_parse_timestamp: the same CRM forms, naive values are
        local time of var('crm_timezone'), values with an offset (or Z) are converted to it.
        Result: a timestamp whose wall-clock value in the session time zone is that local
        time, so the Spark session time zone must be UTC (the `spark` target sets
        spark.sql.session.timeZone). Patterns take 1- or 2-digit months, days and hours
        (`2025/3/18 14:05`) like DuckDB's strptime. Unparseable -> null (try_to_timestamp). -#}
    {%- set value = 'trim(' ~ expr ~ ')' -%}
    {%- set with_offset = "regexp_replace(" ~ value ~ ", 'Z$', '+00:00')" -%}
    case
        when {{ value }} rlike '([+-][0-9]{2}:?[0-9]{2}|Z)$'
            then from_utc_timestamp(
                coalesce(
                    {%- for pattern in [
                        "yyyy-M-d'T'H:m:sXXX", "yyyy-M-d H:m:sXXX", "yyyy-M-d'T'H:m:s.SSSSSSXXX", "yyyy-M-d'T'H:mXXX",
                        "yyyy-M-d'T'H:m:sXX", "yyyy-M-d H:m:sXX", "yyyy-M-d'T'H:m:s.SSSSSSXX", "yyyy-M-d'T'H:mXX",
                    ] %}
                    try_to_timestamp({{ with_offset }}, {{ crm_quote_literal(pattern) }}){{ "," if not loop.last }}
                    {%- endfor %}
                ),
                '{{ var("crm_timezone") }}'
            )
        else coalesce(
            {%- for pattern in [
                'yyyy-M-d H:m:s', "yyyy-M-d'T'H:m:s", 'yyyy-M-d H:m:s.SSSSSS', "yyyy-M-d'T'H:m:s.SSSSSS",
                'yyyy-M-d H:m', "yyyy-M-d'T'H:m", 'yyyy/M/d H:m:s', 'yyyy/M/d H:m',
                'yyyy-M-d', 'yyyy/M/d',
            ] %}
            try_to_timestamp({{ value }}, {{ crm_quote_literal(pattern) }}){{ "," if not loop.last }}
            {%- endfor %}
        )
    end
{%- endmacro %}
