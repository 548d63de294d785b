{% macro crm_parse_timestamp(expr) -%}
    {{ return(adapter.dispatch('crm_parse_timestamp', 'crmwh')(expr)) }}
{%- endmacro %}

{% macro default__crm_parse_timestamp(expr) -%}
    {{ exceptions.raise_compiler_error("crm_parse_timestamp is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__crm_parse_timestamp(expr) -%}
    {#- The CRM forms of raw_exports.md. Naive values are local time of var('crm_timezone');
        values with an offset are converted to it. Unparseable -> null. -#}
    {%- set every_naive_form -%}
        try_strptime(
            trim({{ expr }}),
            [
                '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f',
                '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M',
                '%Y-%m-%d', '%Y/%m/%d'
            ]
        )
    {%- endset %}
    case
        when regexp_matches(trim({{ expr }}), '([+-][0-9]{2}:?[0-9]{2}|Z)$')
            then cast(
                timezone(
                    '{{ var("crm_timezone") }}',
                    try_strptime(
                        replace(trim({{ expr }}), 'Z', '+00:00'),
                        ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%dT%H:%M%z']
                    )
                ) as timestamp
            )
        -- Naive values: the form a value's shape suggests is tried first, the whole list only
        -- when it fails. A failed parse costs many times a successful one, and a value that
        -- one of these forms reads matches no format listed before it, so the result is the
        -- list's. Empty values are not parsed at all.
        when trim({{ expr }}) = '' then null
        when length(trim({{ expr }})) <= 10
            then coalesce(
                try_strptime(trim({{ expr }}), '%Y-%m-%d'),
                try_strptime(trim({{ expr }}), '%Y/%m/%d'),
                {{ every_naive_form }}
            )
        when trim({{ expr }}) like '%/%'
            then coalesce(
                try_strptime(trim({{ expr }}), '%Y/%m/%d %H:%M'),
                {{ every_naive_form }}
            )
        else coalesce(
            try_strptime(trim({{ expr }}), '%Y-%m-%d %H:%M:%S'),
            {{ every_naive_form }}
        )
    end
{%- endmacro %}

