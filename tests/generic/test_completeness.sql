{% test completeness(model, column_name=none, entity=none) %}
    {#- 信息完整度: fails when a column's share of non-empty values is below its target in
        seed policy_completeness_targets (per entity and column).

        Applied to a model (every column the seed lists for the entity) or to one column.
        `entity` defaults to the model name after its last `__` (stg_crm__customers ->
        customers). Non-empty = not null and, for text, not blank after trimming.

        Returns one row per column below its target, with its counts, target and
        error_below. Severity follows the numbers, not the YAML: below `target` the test
        WARNS; when any returned column is below `error_below` (or a seed column does not
        exist in the model) it ERRORS. This works through the test's thresholds:
        failures = count(*) = columns below target, warn_if '> 0', error_if
        '> 0 and max(is_below_error_floor) = 1' (dbt evaluates `<fail_calc> <error_if>`
        over the returned rows). A model without rows passes (nothing to measure). -#}
    {{ config(
        severity='error',
        warn_if='> 0',
        error_if='> 0 and max(is_below_error_floor) = 1',
    ) }}
    {%- set entity = entity or model.identifier.split('__')[-1] -%}
    {%- if execute -%}
        {%- set measured_columns = [] -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- if column_name is none or column.name | lower == column_name | lower -%}
                {%- do measured_columns.append(column) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {%- set measured_columns = [] -%}
    {%- endif %}

    with

    targets as (

        select * from {{ ref('policy_completeness_targets') }}

    ),

    counted as (

        select
            {%- for column in measured_columns %}
            {%- if column.is_string() %}
            count(nullif(trim({{ adapter.quote(column.name) }}), '')) as filled_{{ loop.index }},
            {%- else %}
            count({{ adapter.quote(column.name) }}) as filled_{{ loop.index }},
            {%- endif %}
            {%- endfor %}
            count(*) as row_count
        from {{ model }}

    ),

    measured_columns as (

        {%- for column in measured_columns %}
        select
            '{{ column.name | lower }}' as column_name,
            row_count,
            filled_{{ loop.index }} as filled
        from counted
        {{ 'union all' if not loop.last }}
        {%- endfor %}
        {%- if measured_columns | length == 0 %}
        select
            cast(null as {{ dbt.type_string() }}) as column_name,
            cast(null as {{ dbt.type_bigint() }}) as row_count,
            cast(null as {{ dbt.type_bigint() }}) as filled
        {%- endif %}

    ),

    checked as (

        select
            targets.entity,
            targets.column_name,
            measured_columns.row_count,
            measured_columns.filled,
            case
                when measured_columns.row_count > 0
                    then cast(measured_columns.filled as decimal(18, 6)) / measured_columns.row_count
            end as completeness,
            targets.target,
            targets.error_below,
            case when measured_columns.column_name is null then 1 else 0 end as is_missing_column
        from targets
        left join measured_columns
            on lower(targets.column_name) = measured_columns.column_name
        where
            targets.entity = '{{ entity }}'
            {%- if column_name is not none %}
            and lower(targets.column_name) = '{{ column_name | lower }}'
            {%- endif %}

    ),

    final as (

        select
            entity,
            column_name,
            row_count,
            filled,
            completeness,
            target,
            error_below,
            case
                when is_missing_column = 1 then 1
                when filled < error_below * row_count then 1
                else 0
            end as is_below_error_floor
        from checked
        where
            is_missing_column = 1
            or filled < target * row_count

    )

    select * from final

{% endtest %}
