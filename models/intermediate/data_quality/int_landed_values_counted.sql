{#- Rows and non-empty values per load date, export entity and contract column, overall
    and (customers) per owner rep. Counted rows: every row landed that night except
    malformed lines (their fields are unknown) and exact duplicate lines (a second copy of
    a row already counted). A value is non-empty when its typed value in the base model is
    not null: blank text is null there, and so is a value that failed to parse. -#}
{%- set export_columns = crm_export_columns() -%}
{%- set entities = crm_export_entities() -%}
{#- (is_overall, owner_rep_id expression): the whole entity, and customers per owner rep -#}
{%- set overall_scope = ('true', "'all'") -%}
{%- set owner_scope = ('false', 'owner_rep_id') %}

with

{% for entity in entities %}
    {%- set columns = export_columns | selectattr('entity', 'equalto', entity) | list %}
    {%- set scopes = [overall_scope, owner_scope] if entity == 'customers' else [overall_scope] %}
    {{ entity }}_rows as (

        select * from {{ ref('base_crm__' ~ entity) }}
        where coalesce(_quarantine_reason, '') not in ('malformed_row', 'exact_duplicate')

    ),

    {{ entity }}_counted as (

        {% for is_overall, owner in scopes %}
            select
                cast(_loaded_at as date) as load_date,
                {{ is_overall }} as is_overall,
                cast({{ owner }} as {{ dbt.type_string() }}) as owner_rep_id,
                {% for column in columns %}
                    count({{ column.column_name }}) as filled_{{ loop.index }},
                {% endfor %}
                count(*) as row_count
            from {{ entity }}_rows
            group by
                {% if is_overall == 'true' -%}
                    cast(_loaded_at as date)
                {%- else -%}
                    cast(_loaded_at as date), owner_rep_id
                {%- endif %}
            {% if not loop.last %}union all{% endif %}
        {% endfor %}

    ),
{% endfor %}

unpivoted as (

    {% for entity in entities %}
        {%- set entity_loop = loop %}
        {% for column in export_columns | selectattr('entity', 'equalto', entity) %}
            select
                load_date,
                '{{ entity }}' as entity,
                '{{ column.column_name }}' as column_name,
                is_overall,
                owner_rep_id,
                row_count,
                filled_{{ loop.index }} as filled_count
            from {{ entity }}_counted
            {% if not (loop.last and entity_loop.last) %}union all{% endif %}
        {% endfor %}
    {% endfor %}

),

final as (

    select
        load_date,
        cast(entity as {{ dbt.type_string() }}) as entity,
        cast(column_name as {{ dbt.type_string() }}) as column_name,
        is_overall,
        owner_rep_id,
        row_count,
        filled_count
    from unpivoted

)

select * from final
