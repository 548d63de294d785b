{% macro postgres__crm_parse_timestamp(expr) -%}
    {#- duckdb__crm_parse_timestamp for PostgreSQL: the same accepted forms (each regular
        expression below is one group of DuckDB's strptime formats; 1-2 digit month, day and
        hour as strptime reads them; no hour 24, which PostgreSQL alone reads as the next
        midnight), parsed by a safe cast so 2024-02-30 gives null.
        Values with an offset (or Z) are converted to var('crm_timezone'). -#}
    case
        when trim({{ expr }}) ~ '([+-][0-9]{2}:?[0-9]{2}|Z)$'
            then case
                when replace(trim({{ expr }}), 'Z', '+00:00')
                    ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(T([01]?[0-9]|2[0-3]):[0-9]{1,2}(:[0-9]{1,2}([.][0-9]{1,6})?)?| ([01]?[0-9]|2[0-3]):[0-9]{1,2}:[0-9]{1,2})[+-][0-9]{2}:?[0-9]{2}$'
                    then {{ crm_try_cast("replace(trim(" ~ expr ~ "), 'Z', '+00:00')", 'timestamptz') }}
                        at time zone '{{ var("crm_timezone") }}'
            end
        when trim({{ expr }})
            ~ '^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T]([01]?[0-9]|2[0-3]):[0-9]{1,2}(:[0-9]{1,2}([.][0-9]{1,6})?)?)?|[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}( ([01]?[0-9]|2[0-3]):[0-9]{1,2}(:[0-9]{1,2})?)?)$'
            then {{ crm_try_cast("trim(" ~ expr ~ ")", 'timestamp') }}
    end
{%- endmacro %}
