{#- 销售代表月度记分卡 — one row per rep per month. Counts come from the same records as the
    KPI marts (int_kpi_measures_unioned, month grain), so a rep's cadence, logging, lead and
    revenue numbers equal the KPI mart's owner_rep_id rows; plan attainment and complaint
    handling (by the handling rep) are counted here. -#}
{%- set rate_kpis = {
    'cadence': 'cadence_compliance_rate',
    'logging': 'logging_sla_rate',
    'complaint': 'complaint_sla_rate',
    'lead': 'lead_conversion_rate',
} -%}

with

periods as (

    select * from {{ ref('int_kpi_periods_spined') }}

),

measures as (

    select * from {{ ref('int_kpi_measures_unioned') }}

),

customer_periods as (

    select * from {{ ref('int_kpi_customer_periods_evaluated') }}

),

plans as (

    select * from {{ ref('fct_plan_attainment') }}

),

tickets as (

    select * from {{ ref('fct_tickets') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

kpi_targets as (

    select * from {{ ref('policy_kpi_targets') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

months as (

    select * from periods
    where period_grain = 'month'

),

owned_customers as (

    -- customers owned on the month's effective end (current owner; no ownership history)
    select
        owner_rep_id as rep_id,
        period_start,
        count(*) as customers_owned,
        sum(case when end_tier_rank = 1 then 1 else 0 end) as customers_tier_rank_1,
        sum(case when end_tier_rank = 2 then 1 else 0 end) as customers_tier_rank_2,
        sum(case when end_tier_rank = 3 then 1 else 0 end) as customers_tier_rank_3,
        sum(case when end_lifecycle_stage = 'prospect' then 1 else 0 end) as customers_prospect,
        sum(case when end_lifecycle_stage = 'at_risk' then 1 else 0 end) as customers_at_risk,
        sum(case when end_lifecycle_stage = 'churned' then 1 else 0 end) as customers_churned
    from customer_periods
    where
        period_grain = 'month'
        and owner_rep_id is not null
    group by
        owner_rep_id,
        period_start

),

kpi_counts as (

    select
        rep_id,
        period_start,
        sum(case when kpi_code = 'cadence_compliance_rate' then denominator else 0 end) as cadence_closed_periods,
        sum(case when kpi_code = 'cadence_compliance_rate' then numerator else 0 end) as cadence_compliant_periods,
        sum(case when kpi_code = 'logging_sla_rate' then denominator else 0 end) as interactions_decided,
        sum(case when kpi_code = 'logging_sla_rate' then numerator else 0 end) as interactions_logged_in_sla,
        sum(case when kpi_code = 'avg_order_value' then denominator else 0 end) as completed_orders,
        sum(case when kpi_code = 'avg_order_value' then numerator else 0 end) as revenue,
        sum(case when kpi_code = 'lead_conversion_rate' then denominator else 0 end) as leads_created,
        sum(case when kpi_code = 'lead_conversion_rate' then numerator else 0 end) as leads_converted
    from measures
    where
        period_grain = 'month'
        and rep_id is not null
        and kpi_code in ('cadence_compliance_rate', 'logging_sla_rate', 'avg_order_value', 'lead_conversion_rate')
    group by
        rep_id,
        period_start

),

plan_counts as (

    -- planned touches of the month whose outcome is decided (fulfilled, or window passed)
    select
        plans.rep_id,
        months.period_start,
        count(*) as planned_touches_decided,
        sum(case when plans.fulfilled then 1 else 0 end) as planned_touches_fulfilled
    from plans
    inner join months
        on
            plans.planned_date >= months.period_start
            and plans.planned_date <= months.effective_end
    where
        plans.fulfilled is not null
        and plans.rep_id is not null
    group by
        plans.rep_id,
        months.period_start

),

complaint_counts as (

    -- complaints opened in the month and handled by the rep (assignee), SLA outcome decided
    select
        tickets.assignee_rep_id as rep_id,
        months.period_start,
        count(*) as complaints_handled,
        sum(case when tickets.complaint_sla_met then 1 else 0 end) as complaints_handled_in_sla
    from tickets
    inner join months
        on
            cast(tickets.opened_at as date) >= months.period_start
            and cast(tickets.opened_at as date) <= months.effective_end
    where
        tickets.is_complaint
        and tickets.complaint_sla_met is not null
        and tickets.assignee_rep_id is not null
    group by
        tickets.assignee_rep_id,
        months.period_start

),

rep_months as (

    -- every month from the rep's hire month (all months without a hire date), plus any
    -- month in which the rep has activity
    select
        sales_reps.rep_id,
        months.period_start
    from sales_reps
    inner join months
        on sales_reps.hired_at is null or sales_reps.hired_at <= months.period_end
    union
    select
        rep_id,
        period_start
    from owned_customers
    union
    select
        rep_id,
        period_start
    from kpi_counts
    union
    select
        rep_id,
        period_start
    from plan_counts
    union
    select
        rep_id,
        period_start
    from complaint_counts

),

targets as (

    select
        {% for key, kpi_code in rate_kpis.items() %}
            max(case when kpi_code = '{{ kpi_code }}' then target_month end) as {{ key }}_target
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from kpi_targets

),

counted as (

    select
        rep_months.rep_id,
        sales_reps.rep_name,
        sales_reps.team,
        sales_reps.region,
        sales_reps.role,
        sales_reps.is_active,
        months.period_start as month_start,
        months.period_end as month_end,
        months.period_label,
        months.is_closed_period,
        cast(coalesce(owned_customers.customers_owned, 0) as integer) as customers_owned,
        cast(coalesce(owned_customers.customers_tier_rank_1, 0) as integer) as customers_tier_rank_1,
        cast(coalesce(owned_customers.customers_tier_rank_2, 0) as integer) as customers_tier_rank_2,
        cast(coalesce(owned_customers.customers_tier_rank_3, 0) as integer) as customers_tier_rank_3,
        cast(coalesce(owned_customers.customers_prospect, 0) as integer) as customers_prospect,
        cast(coalesce(owned_customers.customers_at_risk, 0) as integer) as customers_at_risk,
        cast(coalesce(owned_customers.customers_churned, 0) as integer) as customers_churned,
        cast(coalesce(kpi_counts.cadence_closed_periods, 0) as integer) as cadence_closed_periods,
        cast(coalesce(kpi_counts.cadence_compliant_periods, 0) as integer) as cadence_compliant_periods,
        cast(coalesce(kpi_counts.interactions_decided, 0) as integer) as interactions_decided,
        cast(coalesce(kpi_counts.interactions_logged_in_sla, 0) as integer) as interactions_logged_in_sla,
        cast(coalesce(plan_counts.planned_touches_decided, 0) as integer) as planned_touches_decided,
        cast(coalesce(plan_counts.planned_touches_fulfilled, 0) as integer) as planned_touches_fulfilled,
        cast(coalesce(complaint_counts.complaints_handled, 0) as integer) as complaints_handled,
        cast(coalesce(complaint_counts.complaints_handled_in_sla, 0) as integer) as complaints_handled_in_sla,
        cast(coalesce(kpi_counts.completed_orders, 0) as integer) as completed_orders,
        cast(coalesce(kpi_counts.revenue, 0) as decimal(18, 2)) as revenue,
        cast(coalesce(kpi_counts.leads_created, 0) as integer) as leads_created,
        cast(coalesce(kpi_counts.leads_converted, 0) as integer) as leads_converted
    from rep_months
    inner join months
        on rep_months.period_start = months.period_start
    left join sales_reps
        on rep_months.rep_id = sales_reps.rep_id
    left join owned_customers
        on rep_months.rep_id = owned_customers.rep_id and rep_months.period_start = owned_customers.period_start
    left join kpi_counts
        on rep_months.rep_id = kpi_counts.rep_id and rep_months.period_start = kpi_counts.period_start
    left join plan_counts
        on rep_months.rep_id = plan_counts.rep_id and rep_months.period_start = plan_counts.period_start
    left join complaint_counts
        on rep_months.rep_id = complaint_counts.rep_id and rep_months.period_start = complaint_counts.period_start

),

rated as (

    select
        counted.*,
        {%- for rate, numerator, denominator in [
            ('cadence_compliance_rate', 'cadence_compliant_periods', 'cadence_closed_periods'),
            ('logging_sla_rate', 'interactions_logged_in_sla', 'interactions_decided'),
            ('plan_attainment_rate', 'planned_touches_fulfilled', 'planned_touches_decided'),
            ('complaint_sla_rate', 'complaints_handled_in_sla', 'complaints_handled'),
            ('lead_conversion_rate', 'leads_converted', 'leads_created'),
        ] %}
            cast(
                round(cast(counted.{{ numerator }} as decimal(24, 8)) / nullif(counted.{{ denominator }}, 0), 4)
                as decimal(9, 4)
            ) as {{ rate }},
        {%- endfor %}
        cast(
            round(cast(counted.revenue as decimal(24, 8)) / nullif(counted.completed_orders, 0), 2) as decimal(18, 2)
        ) as avg_order_value
    from counted

),

final as (

    select
        rated.rep_id,
        rated.rep_name,
        rated.team,
        rated.region,
        rated.role,
        role_codes.label_zh as role_label_zh,
        rated.is_active,
        rated.month_start,
        rated.month_end,
        rated.period_label,
        rated.is_closed_period,
        rated.customers_owned,
        rated.customers_tier_rank_1,
        rated.customers_tier_rank_2,
        rated.customers_tier_rank_3,
        rated.customers_prospect,
        rated.customers_at_risk,
        rated.customers_churned,
        rated.cadence_closed_periods,
        rated.cadence_compliant_periods,
        rated.cadence_compliance_rate,
        case
            when rated.cadence_compliance_rate is not null and targets.cadence_target is not null
                then rated.cadence_compliance_rate >= targets.cadence_target
        end as is_cadence_target_met,
        rated.interactions_decided,
        rated.interactions_logged_in_sla,
        rated.logging_sla_rate,
        case
            when rated.logging_sla_rate is not null and targets.logging_target is not null
                then rated.logging_sla_rate >= targets.logging_target
        end as is_logging_target_met,
        rated.planned_touches_decided,
        rated.planned_touches_fulfilled,
        rated.plan_attainment_rate,
        rated.complaints_handled,
        rated.complaints_handled_in_sla,
        rated.complaint_sla_rate,
        case
            when rated.complaint_sla_rate is not null and targets.complaint_target is not null
                then rated.complaint_sla_rate >= targets.complaint_target
        end as is_complaint_target_met,
        rated.completed_orders,
        rated.revenue,
        rated.avg_order_value,
        rated.leads_created,
        rated.leads_converted,
        rated.lead_conversion_rate,
        case
            when rated.lead_conversion_rate is not null and targets.lead_target is not null
                then rated.lead_conversion_rate >= targets.lead_target
        end as is_lead_target_met,
        {{ crm_as_of_date() }} as as_of_date
    from rated
    cross join targets
    left join codes as role_codes
        on rated.role = role_codes.code and role_codes.code_list = 'rep_role'

)

select * from final
