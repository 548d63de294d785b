{% test in_code_list(model, column_name, code_list) %}
    {#- Fails with every non-null value that is not a code of `code_list` in seed ref_codes. -#}
    select
        checked.{{ column_name }} as unknown_code,
        count(*) as occurrences
    from {{ model }} as checked
    left join {{ ref('ref_codes') }} as codes
        on codes.code_list = '{{ code_list }}' and codes.code = checked.{{ column_name }}
    where checked.{{ column_name }} is not null and codes.code is null
    group by checked.{{ column_name }}
{% endtest %}
