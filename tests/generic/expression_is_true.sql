{% test expression_is_true(model, expression) %}
    {#- Fails with every row where `expression` is not true (same contract as
        dbt_utils.expression_is_true, which cannot be installed here). -#}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
