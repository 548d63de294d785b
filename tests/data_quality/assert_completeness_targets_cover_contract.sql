{#- Every required (R) column of every export entity has a completeness target in seed
    policy_completeness_targets, and every target names a column of the export contract.
    Fails with one row per gap: missing_target or unknown_column. -#}
{%- set contract_columns = crm_export_columns() %}

with

targets as (

    select * from {{ ref('policy_completeness_targets') }}

),

contract as (

    {% for column in contract_columns %}
        select
            '{{ column.entity }}' as entity,
            '{{ column.column_name }}' as column_name,
            {{ 'true' if column.is_required else 'false' }} as is_required
        {% if not loop.last %}union all{% endif %}
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as entity,
            cast(null as {{ dbt.type_string() }}) as column_name,
            false as is_required
    {% endfor %}

),

gaps as (

    select
        contract.entity,
        contract.column_name,
        'missing_target' as gap
    from contract
    left join targets
        on contract.entity = targets.entity and contract.column_name = targets.column_name
    where contract.is_required and targets.entity is null

    union all

    select
        targets.entity,
        targets.column_name,
        'unknown_column' as gap
    from targets
    left join contract
        on targets.entity = contract.entity and targets.column_name = contract.column_name
    where contract.entity is null

)

select * from gaps
