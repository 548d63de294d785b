{% macro crm_personal_data_patterns() -%}
    {#- Regular expressions that recognise personal contact data in text (PIPL): Chinese
        mobile numbers (1[3-9] + 9 digits, optionally +86 and spaced 3-4-4), office numbers
        (0 + 2-3 digit area code, optional - or space, 7-8 digits) and e-mail addresses.
        A number must not touch a Latin letter or digit on either side (Chinese text and
        punctuation may touch it), so ids, hashes and amounts do not match.
        No backslashes: the same literal works in DuckDB (RE2), PostgreSQL and Spark (Java). -#}
    {{ return({
        'mobile_phone': '(^|[^0-9A-Za-z])([+]?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}([^0-9A-Za-z]|$)',
        'office_phone': '(^|[^0-9A-Za-z])0[0-9]{2,3}[ -]?[0-9]{7,8}([^0-9A-Za-z]|$)',
        'email': '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}',
    }) }}
{%- endmacro %}
