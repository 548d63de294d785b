{#- 隔离汇总 — quarantined rows per load date, export entity, reason and failing column,
    with the reason's Chinese label and the lineage of the first rows (file:line) so a data
    steward can open the export and fix the source. No values are shown (they may be
    personal data); the staging quarantine models hold them. -#}

with

quarantined as (

    select * from {{ ref('int_quarantined_rows_unioned') }}

),

landed as (

    select * from {{ ref('int_landed_values_counted') }}

),

export_columns as (

    select * from {{ ref('int_export_columns_described') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

latest_loads as (

    select
        landed.entity,
        max(landed.load_date) as latest_load_date
    from landed
    group by landed.entity

),

entities as (

    select distinct
        entity,
        entity_label_zh
    from export_columns

),

ranked as (

    select
        quarantined.*,
        row_number() over (
            partition by
                quarantined.load_date,
                quarantined.entity,
                quarantined.quarantine_reason,
                quarantined.quarantine_column
            order by quarantined.load_id, quarantined.row_number_in_file
        ) as position_in_group,
        {{ dbt.concat([
            'quarantined.source_file',
            "':'",
            'cast(quarantined.row_number_in_file as ' ~ dbt.type_string() ~ ')',
        ]) }} as lineage
    from quarantined

),

summarized as (

    select
        ranked.load_date,
        ranked.entity,
        ranked.quarantine_reason,
        ranked.quarantine_column,
        count(*) as rows_quarantined,
        min(ranked.load_id) as first_load_id,
        max(ranked.load_id) as last_load_id,
        {{ crm_string_agg(
            "case when ranked.position_in_group <= " ~ var('quarantine_sample_rows') ~ " then ranked.lineage end",
            ', ',
            'ranked.load_id, ranked.row_number_in_file',
        ) }} as sample_rows
    from ranked
    group by
        ranked.load_date,
        ranked.entity,
        ranked.quarantine_reason,
        ranked.quarantine_column

),

labelled as (

    select
        summarized.load_date,
        summarized.entity,
        entities.entity_label_zh,
        summarized.quarantine_reason,
        reasons.label_zh as quarantine_reason_label_zh,
        summarized.quarantine_column,
        coalesce(export_columns.column_label_zh, summarized.quarantine_column) as quarantine_column_label_zh,
        summarized.rows_quarantined,
        summarized.first_load_id,
        summarized.last_load_id,
        summarized.sample_rows,
        latest_loads.latest_load_date
    from summarized
    left join latest_loads
        on summarized.entity = latest_loads.entity
    left join entities
        on summarized.entity = entities.entity
    left join codes as reasons
        on
            reasons.code_list = 'quarantine_reason'
            and summarized.quarantine_reason = reasons.code
    left join export_columns
        on
            summarized.entity = export_columns.entity
            and summarized.quarantine_column = export_columns.column_name

),

final as (

    select
        load_date,
        cast(entity as {{ dbt.type_string() }}) as entity,
        cast(entity_label_zh as {{ dbt.type_string() }}) as entity_label_zh,
        cast(quarantine_reason as {{ dbt.type_string() }}) as quarantine_reason,
        cast(quarantine_reason_label_zh as {{ dbt.type_string() }}) as quarantine_reason_label_zh,
        cast(quarantine_column as {{ dbt.type_string() }}) as quarantine_column,
        cast(quarantine_column_label_zh as {{ dbt.type_string() }}) as quarantine_column_label_zh,
        cast(rows_quarantined as {{ dbt.type_bigint() }}) as rows_quarantined,
        cast(first_load_id as {{ dbt.type_bigint() }}) as first_load_id,
        cast(last_load_id as {{ dbt.type_bigint() }}) as last_load_id,
        cast(sample_rows as {{ dbt.type_string() }}) as sample_rows,
        coalesce(load_date = latest_load_date, false) as is_latest_load_date
    from labelled

)

select * from final
