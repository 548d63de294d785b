{% macro crm_changed_customers() -%}
    {#- Select of `customer_key`: the customers whose rows of the current model can differ
        from its last build (watermark: last_load_id, last_as_of), found in every export
        entity the model depends on (crm_upstream_entities):
          - a clean row landed by a later load (new, changed, or no longer an orphan because
            its customer arrived);
          - a clean row with a date or timestamp from the day before the last as-of date to
            the day after this one (it may have become visible, or a rule window may have
            moved past it: an approval, a first response, an order...);
          - customers of a sales rep whose row changed (team, manager).
        Rows without a customer have the key '(none)'. -#}
    {%- set last_load_id = crm_incremental_state_value('last_load_id') -%}
    {%- set window_from = "cast(" ~ dbt.dateadd('day', -1, crm_incremental_state_value('last_as_of')) ~ " as date)" -%}
    {%- set window_to = "cast(" ~ dbt.dateadd('day', 1, crm_as_of_date()) ~ " as date)" -%}
    {%- set entities = crm_upstream_entities() -%}
    {%- set selects = [] -%}
    {%- for item in entities if item.customer_columns -%}
        {%- set conditions = ['_load_id > ' ~ last_load_id] -%}
        {%- for column in item.date_columns -%}
            {%- do conditions.append('cast(' ~ column ~ ' as date) between ' ~ window_from ~ ' and ' ~ window_to) -%}
        {%- endfor -%}
        {%- for column in item.customer_columns -%}
            {%- do selects.append(
                "select coalesce(" ~ column ~ ", '(none)') as customer_key from " ~ item.relation
                ~ " where " ~ conditions | join(' or ')
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set names = entities | map(attribute='entity') | list -%}
    {%- if 'customers' in names and 'sales_reps' in names -%}
        {%- set customers = entities | selectattr('entity', 'equalto', 'customers') | first -%}
        {%- set reps = entities | selectattr('entity', 'equalto', 'sales_reps') | first -%}
        {%- do selects.append(
            "select customers.customer_id as customer_key from " ~ customers.relation ~ " as customers"
            ~ " inner join " ~ reps.relation ~ " as reps on customers.owner_rep_id = reps.rep_id"
            ~ " where reps._load_id > " ~ last_load_id
        ) -%}
    {%- endif -%}
    {%- if not selects -%}
        {%- do selects.append("select cast(null as " ~ dbt.type_string() ~ ") as customer_key") -%}
    {%- endif -%}
    {{ selects | join('\nunion\n') }}
{%- endmacro %}
