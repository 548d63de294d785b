{#- 信息完整度 per load date, export entity and required column (and, for customers, per
    owner rep): rows counted that night, non-empty values, completeness against the
    target of seed policy_completeness_targets, and the change since the previous load
    date of the same entity, column and owner scope. -#}

with

counted as (

    select * from {{ ref('int_landed_values_counted') }}

),

export_columns as (

    select * from {{ ref('int_export_columns_described') }}

),

targets as (

    select * from {{ ref('policy_completeness_targets') }}

),

measured as (

    select
        counted.load_date,
        counted.entity,
        export_columns.entity_label_zh,
        counted.column_name,
        export_columns.column_label_zh,
        counted.is_overall,
        counted.owner_rep_id,
        counted.row_count,
        counted.filled_count,
        cast(counted.filled_count as decimal(18, 6)) / counted.row_count as completeness,
        targets.target,
        targets.error_below,
        counted.filled_count >= targets.target * counted.row_count as is_met,
        counted.filled_count < targets.error_below * counted.row_count as is_below_error_floor
    from counted
    inner join targets
        on
            counted.entity = targets.entity
            and counted.column_name = targets.column_name
    left join export_columns
        on
            counted.entity = export_columns.entity
            and counted.column_name = export_columns.column_name
    where counted.row_count > 0

),

trended as (

    select
        measured.*,
        lag(measured.load_date) over (
            partition by measured.entity, measured.column_name, measured.owner_rep_id
            order by measured.load_date
        ) as previous_load_date,
        lag(measured.completeness) over (
            partition by measured.entity, measured.column_name, measured.owner_rep_id
            order by measured.load_date
        ) as previous_completeness,
        max(measured.load_date) over (partition by measured.entity) as latest_load_date
    from measured

),

final as (

    -- `rows` and `target` are keywords in some dialects; the names are fixed by marts.md
    select
        load_date,
        cast(entity as {{ dbt.type_string() }}) as entity,
        cast(entity_label_zh as {{ dbt.type_string() }}) as entity_label_zh,
        cast(column_name as {{ dbt.type_string() }}) as column_name,
        cast(column_label_zh as {{ dbt.type_string() }}) as column_label_zh,
        is_overall,
        cast(owner_rep_id as {{ dbt.type_string() }}) as owner_rep_id,
        cast(row_count as {{ dbt.type_bigint() }}) as rows,  -- noqa: RF04
        cast(filled_count as {{ dbt.type_bigint() }}) as filled,
        cast(completeness as decimal(9, 6)) as completeness,
        cast(target as decimal(6, 4)) as target,  -- noqa: RF04
        cast(error_below as decimal(6, 4)) as error_below,
        is_met,
        is_below_error_floor,
        previous_load_date,
        cast(previous_completeness as decimal(9, 6)) as previous_completeness,
        cast(completeness - previous_completeness as decimal(9, 6)) as completeness_change,
        load_date = latest_load_date as is_latest_load_date
    from trended

)

select * from final
