{#- Nothing lost between staging and the quarantine summary: per export entity, the rows
    of mart_quarantine_summary add up to the quarantined rows of mart_load_reconciliation.
    Fails with one row per entity whose totals differ. -#}

with

summary as (

    select * from {{ ref('mart_quarantine_summary') }}

),

reconciliation as (

    select * from {{ ref('mart_load_reconciliation') }}

),

summary_totals as (

    select
        summary.entity,
        sum(summary.rows_quarantined) as rows_quarantined
    from summary
    group by summary.entity

),

reconciliation_totals as (

    select
        reconciliation.entity,
        sum(reconciliation.rows_quarantined) as rows_quarantined
    from reconciliation
    group by reconciliation.entity

),

compared as (

    select
        reconciliation_totals.entity,
        reconciliation_totals.rows_quarantined as rows_in_reconciliation,
        coalesce(summary_totals.rows_quarantined, 0) as rows_in_summary
    from reconciliation_totals
    left join summary_totals
        on reconciliation_totals.entity = summary_totals.entity

)

select * from compared
where rows_in_reconciliation != rows_in_summary
