-- Rep- and team-level cadence compliance (维护频率达标率) over closed periods:
-- compliant closed customer-periods / all closed customer-periods (business_rules.md).
-- `crmwh dbt -- compile --select cadence_compliance_by_rep` prints the SQL to run in a BI tool.
with

periods as (

    select * from {{ ref('fct_cadence_compliance') }}

),

final as (

    select
        team,
        owner_rep_id,
        period_grain,
        count(*) as closed_periods,
        count(case when period_status = 'compliant' then 1 end) as compliant_periods,
        cast(count(case when period_status = 'compliant' then 1 end) as {{ dbt.type_numeric() }})
        / count(*) as compliance_rate
    from periods
    where period_status in ('compliant', 'missed')
    group by team, owner_rep_id, period_grain

)

select * from final
order by team, owner_rep_id, period_grain
