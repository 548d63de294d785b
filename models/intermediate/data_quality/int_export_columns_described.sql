{#- The export contract as a table: one row per export entity and column, read from the
    column meta of source crm_raw (models/staging/crm/_crm__sources.yml) when the model runs. -#}
{%- set export_columns = crm_export_columns() %}

with

contract_columns as (

    {% for column in export_columns %}
        select
            '{{ column.entity }}' as entity,
            '{{ column.entity_zh }}' as entity_label_zh,
            '{{ column.column_name }}' as column_name,
            '{{ column.column_zh }}' as column_label_zh,
            {{ column.column_position }} as column_position,
            '{{ column.crm_type }}' as crm_type,
            {{ 'true' if column.is_required else 'false' }} as is_required,
            {{ 'true' if column.is_pii else 'false' }} as is_pii
        {% if not loop.last %}union all{% endif %}
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as entity,
            cast(null as {{ dbt.type_string() }}) as entity_label_zh,
            cast(null as {{ dbt.type_string() }}) as column_name,
            cast(null as {{ dbt.type_string() }}) as column_label_zh,
            cast(null as {{ dbt.type_int() }}) as column_position,
            cast(null as {{ dbt.type_string() }}) as crm_type,
            false as is_required,
            false as is_pii
    {% endfor %}

),

final as (

    select
        cast(entity as {{ dbt.type_string() }}) as entity,
        cast(entity_label_zh as {{ dbt.type_string() }}) as entity_label_zh,
        cast(column_name as {{ dbt.type_string() }}) as column_name,
        cast(column_label_zh as {{ dbt.type_string() }}) as column_label_zh,
        cast(column_position as {{ dbt.type_int() }}) as column_position,
        cast(crm_type as {{ dbt.type_string() }}) as crm_type,
        is_required,
        is_pii
    from contract_columns

)

select * from final
