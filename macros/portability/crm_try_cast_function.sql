{% macro crm_try_cast_function(data_type) -%}
    {#- Name of the safe-cast SQL function for `data_type`: decimal(18, 2) ->
        crm_try_cast_decimal_18_2. -#}
    {%- if (data_type | lower | trim) not in crm_try_cast_types() -%}
        {{ exceptions.raise_compiler_error("crm_try_cast: no safe cast to " ~ data_type
            ~ " on " ~ adapter.type() ~ "; add it to crm_try_cast_types()") }}
    {%- endif -%}
    {{ return('crm_try_cast_' ~ modules.re.sub('[^a-z0-9]+', '_', data_type | lower | trim).strip('_')) }}
{%- endmacro %}
