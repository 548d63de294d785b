-- crmwh baseline: the warehouse's core computation as ONE hand-tuned DuckDB script, outside
-- dbt, for `crmwh bench` (warehouse time / baseline time = what dbt, layering and tests cost).
--
-- Input: the landed raw rows of a warehouse (`w.raw.*`, attached read-only) and the policy
-- seeds (read from the CSV files). Output (tables in the baseline database):
--   customers_clean ... interactions_clean   typed, latest clean version per key
--   customer_states      one row per customer and validity interval: value tier (upgrades at
--                        once, downgrades at quarter ends), segment, lifecycle stage
--   cadence_compliance   one row per customer and policy period: qualifying touches, status
--   kpi_monthly          monthly KPIs overall: revenue, orders, average order value, NPS,
--                        CSAT, complaints, logging SLA, cadence compliance, churn, lead
--                        conversion
--
-- What it leaves out, knowingly (so the ratio flatters the baseline): quarantine tables and
-- their reasons, reconciliation, completeness, data tests, the top-tier approval lock,
-- percentile tiers, per-rep/team/segment KPI slices, quarterly KPIs, SLA facts other than
-- logging, worklist, campaigns, the serving copy. DuckDB-only SQL (ASOF-free but
-- using QUALIFY, macros, generate_series); no portability constraint.
-- Placeholders: {as_of} (YYYY-MM-DD), {seeds} (the project's seeds directory).

create or replace macro crm_ts(x) as (
    case
        when regexp_matches(trim(x), '([+-][0-9]{2}:?[0-9]{2}|Z)$')
            then cast(timezone('Asia/Shanghai', try_strptime(
                replace(trim(x), 'Z', '+00:00'),
                ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%dT%H:%M%z']
            )) as timestamp)
        when trim(x) = '' then null
        when length(trim(x)) <= 10
            then coalesce(try_strptime(trim(x), '%Y-%m-%d'), try_strptime(trim(x), '%Y/%m/%d'))
        when trim(x) like '%/%' then try_strptime(trim(x), '%Y/%m/%d %H:%M')
        else try_strptime(trim(x), '%Y-%m-%d %H:%M:%S')
    end
);

create or replace macro crm_money(x) as try_cast(nullif(
    replace(replace(replace(replace(replace(trim(x), ',', ''), '¥', ''), '￥', ''), '元', ''), ' ', ''), ''
) as decimal(18, 2));

create or replace macro crm_code(x) as nullif(lower(replace(replace(trim(x), ' ', '_'), '-', '_')), '');

create or replace macro crm_true(x) as lower(trim(x)) in ('true', 't', 'yes', 'y', '1', '是', '√');

create or replace table codes as
select code_list, code, label_zh from read_csv('{seeds}/reference/ref_codes.csv', all_varchar = true);

-- label (Chinese) -> code, and code -> code, in one lookup
create or replace table code_lookup as
select distinct code_list, lower(code) as lookup, code from codes
union
select distinct code_list, label_zh as lookup, code from codes
where label_zh not in (select lower(code) from codes);

create or replace table tiers as
select tier, cast(tier_rank as integer) as tier_rank, rule_type, try_cast(threshold as decimal(18, 2)) as threshold
from read_csv('{seeds}/policy/policy_value_tiers.csv', all_varchar = true)
where scheme = 'abc';

create or replace table cadence_policy as
select * from read_csv('{seeds}/policy/policy_cadence.csv', all_varchar = true);

create or replace table cadence_channels as
select * from read_csv('{seeds}/policy/policy_cadence_channels.csv', all_varchar = true);

-- ------------------------------------------------------------------ typed, latest clean version
create or replace table customers_clean as
select
    trim(customer_id) as customer_id,
    cast(crm_ts(acquired_at) as date) as acquired_at,
    crm_true(is_strategic) as is_strategic,
    nullif(trim(owner_rep_id), '') as owner_rep_id
from w.raw.customers
where _parse_error is null and nullif(trim(customer_id), '') is not null
qualify row_number() over (
    partition by trim(customer_id) order by crm_ts(updated_at) desc nulls last, _load_id desc, _row_number desc
) = 1;

create or replace table orders_clean as
select
    o.order_id, o.customer_id, o.order_date, o.amount, o.status
from (
    select
        trim(order_id) as order_id,
        trim(customer_id) as customer_id,
        cast(crm_ts(order_date) as date) as order_date,
        crm_money(amount) as amount,
        coalesce(l1.code, l2.code) as status,
        crm_ts(updated_at) as updated_at,
        _load_id,
        _row_number
    from w.raw.orders
    left join code_lookup as l1 on l1.code_list = 'order_status' and l1.lookup = crm_code(status)
    left join code_lookup as l2 on l2.code_list = 'order_status' and l2.lookup = trim(status)
    where _parse_error is null and nullif(trim(order_id), '') is not null
) as o
semi join customers_clean as c on o.customer_id = c.customer_id
where o.order_date is not null and coalesce(o.amount, 0) >= 0
qualify row_number() over (partition by o.order_id order by o.updated_at desc nulls last, o._load_id desc, o._row_number desc) = 1;

create or replace table complaints_clean as
select t.ticket_id, t.customer_id, cast(t.opened_at as date) as opened_on
from (
    select
        trim(ticket_id) as ticket_id,
        trim(customer_id) as customer_id,
        crm_ts(opened_at) as opened_at,
        coalesce(l1.code, l2.code) as ticket_type,
        _load_id,
        _row_number
    from w.raw.tickets
    left join code_lookup as l1 on l1.code_list = 'ticket_type' and l1.lookup = crm_code(ticket_type)
    left join code_lookup as l2 on l2.code_list = 'ticket_type' and l2.lookup = trim(ticket_type)
    where _parse_error is null and nullif(trim(ticket_id), '') is not null
) as t
semi join customers_clean as c on t.customer_id = c.customer_id
where t.opened_at is not null and t.ticket_type = 'complaint'
qualify row_number() over (partition by t.ticket_id order by t._load_id desc, t._row_number desc) = 1;

create or replace table surveys_clean as
select s.*
from (
    select
        trim(response_id) as response_id,
        trim(customer_id) as customer_id,
        cast(crm_ts(responded_at) as date) as responded_on,
        try_cast(trim(nps_score) as integer) as nps_score,
        try_cast(trim(score_overall) as integer) as score_overall,
        _load_id,
        _row_number
    from w.raw.surveys
    where _parse_error is null and nullif(trim(response_id), '') is not null
) as s
semi join customers_clean as c on s.customer_id = c.customer_id
where s.responded_on is not null
qualify row_number() over (partition by s.response_id order by s._load_id desc, s._row_number desc) = 1;

create or replace table interactions_clean as
select i.*
from (
    select
        trim(interaction_id) as interaction_id,
        trim(customer_id) as customer_id,
        crm_ts(occurred_at) as occurred_at,
        crm_ts(logged_at) as logged_at,
        coalesce(l1.code, l2.code) as channel,
        _load_id,
        _row_number
    from w.raw.interactions
    left join code_lookup as l1 on l1.code_list = 'channel' and l1.lookup = crm_code(channel)
    left join code_lookup as l2 on l2.code_list = 'channel' and l2.lookup = trim(channel)
    where _parse_error is null and nullif(trim(interaction_id), '') is not null
) as i
semi join customers_clean as c on i.customer_id = c.customer_id
where i.occurred_at is not null
qualify row_number() over (partition by i.interaction_id order by i._load_id desc, i._row_number desc) = 1;

create or replace table leads_clean as
select
    trim(lead_id) as lead_id,
    cast(crm_ts(created_at) as date) as created_on,
    coalesce(l1.code, l2.code) as status,
    crm_ts(converted_at) as converted_at
from w.raw.leads
left join code_lookup as l1 on l1.code_list = 'lead_status' and l1.lookup = crm_code(status)
left join code_lookup as l2 on l2.code_list = 'lead_status' and l2.lookup = trim(status)
where _parse_error is null and nullif(trim(lead_id), '') is not null and crm_ts(created_at) is not null
qualify row_number() over (
    partition by trim(lead_id) order by crm_ts(updated_at) desc nulls last, _load_id desc, _row_number desc
) = 1;

-- ------------------------------------------------------------------ customer states over history
create or replace table activities as
select
    customer_id, order_date as d, amount, 1 as is_order,
    case when row_number() over (partition by customer_id, date_trunc('quarter', order_date) order by order_date, order_id) = 1
        then 1 else 0 end as is_first_in_quarter,
    0 as is_complaint, 0 as is_nps, 0 as is_promoter, 0 as is_detractor
from orders_clean
where status = 'completed' and order_date <= date '{as_of}'
union all
select customer_id, opened_on, 0, 0, 0, 1, 0, 0, 0 from complaints_clean where opened_on <= date '{as_of}'
union all
select customer_id, responded_on, 0, 0, 0, 0, 1,
    case when nps_score >= 9 then 1 else 0 end, case when nps_score <= 6 then 1 else 0 end
from surveys_clean where nps_score is not null and responded_on <= date '{as_of}';

create or replace table customer_starts as
select
    c.customer_id,
    c.is_strategic,
    least(coalesce(c.acquired_at, f.first_order), coalesce(f.first_order, c.acquired_at), date '{as_of}')
        as first_state_date
from customers_clean as c
left join (select customer_id, min(d) as first_order from activities where is_order = 1 group by 1) as f
    using (customer_id)
where coalesce(least(c.acquired_at, f.first_order), c.acquired_at, f.first_order, date '{as_of}') <= date '{as_of}';

-- every day a rule input can change: activity days and the days activities leave a window,
-- tenure thresholds, quarter ends, the first day and the as-of date
create or replace table evaluation_dates as
select distinct customer_id, d
from (
    select customer_id, first_state_date as d from customer_starts
    union all select customer_id, date '{as_of}' from customer_starts
    union all
    select s.customer_id, cast(q.q as date)
    from customer_starts as s,
        generate_series(date_trunc('quarter', s.first_state_date) + interval 3 month - interval 1 day,
                        date '{as_of}', interval 3 month) as q(q)
    union all
    select customer_id, d + n from activities, (values (0), (60), (90), (365), (730)) as o(n) where is_order = 1
    union all
    select customer_id, d + n from activities, (values (0), (90)) as c(n) where is_complaint = 1
    union all
    select customer_id, d + n from activities, (values (0), (365)) as r(n) where is_nps = 1
    union all
    select f.customer_id, f.first_order + n
    from (select customer_id, min(d) as first_order from activities where is_order = 1 group by 1) as f,
        (values (180), (365), (730)) as t(n)
) as x
semi join customer_starts as s on x.customer_id = s.customer_id and x.d >= s.first_state_date
where x.d <= date '{as_of}';

-- trailing windows as running sums of +/- deltas (entering / leaving each window)
create or replace table measured as
with stream as (
    select customer_id, d, 0 as o, null::date as e, amount as spend, 0::decimal(18, 2) as prev_spend,
        is_order as orders, 0 as prev_orders, is_first_in_quarter as quarters, is_complaint as complaints,
        is_nps as nps, is_promoter as promoters, is_detractor as detractors,
        case when is_order = 1 then d end as order_day
    from activities
    union all
    select customer_id, d + 365, 0, null, -amount, amount, -1, 1, 0, 0, 0, 0, 0, null
    from activities where is_order = 1 and d + 365 <= date '{as_of}'
    union all
    select customer_id, d + 730, 0, null, 0, -amount, 0, -1, 0, 0, 0, 0, 0, null
    from activities where is_order = 1 and d + 730 <= date '{as_of}'
    union all
    select customer_id, cast(date_trunc('quarter', d) + interval 12 month as date), 0, null, 0, 0, 0, 0, -1, 0, 0, 0, 0, null
    from activities where is_first_in_quarter = 1
    union all
    select customer_id, d + 90, 0, null, 0, 0, 0, 0, 0, -1, 0, 0, 0, null
    from activities where is_complaint = 1 and d + 90 <= date '{as_of}'
    union all
    select customer_id, d + 365, 0, null, 0, 0, 0, 0, 0, 0, -1, -is_promoter, -is_detractor, null
    from activities where is_nps = 1 and d + 365 <= date '{as_of}'
    union all
    select customer_id, d, 1, d, 0, 0, 0, 0, 0, 0, 0, 0, 0, null from evaluation_dates
)
select * from (
    select
        customer_id,
        e as d,
        coalesce(sum(spend) over w, 0) as annual_spend,
        coalesce(sum(prev_spend) over w, 0) as previous_spend,
        sum(orders) over w as orders_365,
        sum(prev_orders) over w as orders_prev_365,
        sum(quarters) over w as quarters_with_orders,
        sum(complaints) over w as complaints_90,
        sum(nps) over w as nps_responses,
        sum(promoters) over w as promoters,
        sum(detractors) over w as detractors,
        min(order_day) over w as first_order,
        max(order_day) over w as last_order
    from stream
    window w as (partition by customer_id order by d, o rows between unbounded preceding and current row)
)
where d is not null;

create or replace table rule_states as
with ruled as (
    select
        m.*,
        s.is_strategic,
        m.d - m.first_order as tenure,
        m.d - m.last_order as inactive,
        m.d = last_day(date_trunc('quarter', m.d) + interval 2 month) as is_quarter_end,
        case
            when s.is_strategic then 1
            when m.annual_spend >= t.a_threshold then 1
            when m.annual_spend >= t.b_threshold then 2
            else 3
        end as rule_tier,
        coalesce(m.complaints_90 > 0, false)
        or coalesce(m.nps_responses > 0 and 100 * (m.promoters - m.detractors) < 30 * m.nps_responses, false)
        or coalesce(m.orders_prev_365 >= 2 and m.orders_365 < 0.5 * m.orders_prev_365, false) as is_risk,
        coalesce(m.nps_responses > 0 and 100 * (m.promoters - m.detractors) >= 50 * m.nps_responses, false)
            as is_nps_stable
    from measured as m
    join customer_starts as s using (customer_id)
    cross join (
        select
            max(threshold) filter (where tier_rank = 1) as a_threshold,
            max(threshold) filter (where tier_rank = 2) as b_threshold
        from tiers
    ) as t
)
select
    *,
    case
        when is_risk then 'satisfaction_risk'
        when annual_spend >= 100000 and tenure >= 730 and (is_nps_stable or nps_responses = 0) then 'high_value_stable'
        when annual_spend >= 50000
            or (tenure < 365 and previous_spend > 0 and annual_spend - previous_spend >= 0.2 * previous_spend)
            then 'high_potential'
        when first_order is not null then 'standard'
        else 'prospect'
    end as segment,
    case
        when first_order is null then 'prospect'
        when inactive >= 90 then 'churned'
        when inactive >= 60 or is_risk then 'at_risk'
        when tenure < 180 then 'new'
        when tenure >= 730 and quarters_with_orders >= 4 then 'loyal'
        else 'established'
    end as lifecycle_stage
from ruled;

-- upgrades at once, downgrades at quarter ends: best rule tier since the last quarter end
create or replace table customer_states as
with tiered as (
    select
        customer_id, d, segment, lifecycle_stage,
        min(rule_tier) over (partition by customer_id, block order by d) as tier_rank
    from (
        select *, sum(case when is_quarter_end then 1 else 0 end) over (partition by customer_id order by d) as block
        from rule_states
    )
),
lagged as (
    select *,
        lag((tier_rank, segment, lifecycle_stage)) over (partition by customer_id order by d) as previous_state
    from tiered
),
changes as (
    select *,
        sum(case when (tier_rank, segment, lifecycle_stage) is not distinct from previous_state then 0 else 1 end)
            over (partition by customer_id order by d) as state_number
    from lagged
)
select
    customer_id,
    state_number,
    min(d) as valid_from,
    lead(min(d)) over (partition by customer_id order by min(d)) as valid_to,
    any_value(tier_rank) as tier_rank,
    any_value(segment) as segment,
    any_value(lifecycle_stage) as lifecycle_stage
from changes
group by customer_id, state_number;

-- ------------------------------------------------------------------ cadence compliance over history
create or replace table cadence_compliance as
with policies as (
    select
        s.customer_id, s.valid_from,
        least(coalesce(s.valid_to, date '{as_of}' + 1), date '{as_of}' + 1) as valid_until,
        s.tier_rank, s.lifecycle_stage, s.segment,
        p.policy_code, p.period_grain, cast(p.required_touches as integer) as required_touches
    from customer_states as s
    join cadence_policy as p
        on (p.applies_to = 'tier' and cast(p.tier_rank as integer) = s.tier_rank)
        or (p.applies_to = 'stage' and p.lifecycle_stage = s.lifecycle_stage)
    where s.lifecycle_stage != 'prospect'
    qualify row_number() over (partition by s.customer_id, s.valid_from order by cast(p.strictness_rank as integer)) = 1
),
starts as (
    select *,
        case period_grain
            when 'week' then date_trunc('week', valid_from)
            when 'month' then date_trunc('month', valid_from)
            when 'quarter' then date_trunc('quarter', valid_from)
            else date_trunc('year', valid_from) + case when month(valid_from) > 6 then interval 6 month else interval 0 month end
        end as first_period,
        case period_grain
            when 'week' then interval 7 day when 'month' then interval 1 month
            when 'quarter' then interval 3 month else interval 6 month
        end as step
    from policies
),
periods as (
    -- the policy of a period is that of the last interval in it
    select customer_id, period_grain, cast(p.period_start as date) as period_start,
        cast(p.period_start + step - interval 1 day as date) as period_end,
        arg_max(policy_code, valid_from) as policy_code,
        arg_max(required_touches, valid_from) as required_touches
    from starts, generate_series(first_period, valid_until - 1, step) as p(period_start)
    group by customer_id, period_grain, p.period_start, step
),
touches as (
    select
        i.customer_id, g.grain as period_grain, i.channel, i.occurred_at,
        cast(case g.grain
            when 'week' then date_trunc('week', i.occurred_at)
            when 'month' then date_trunc('month', i.occurred_at)
            when 'quarter' then date_trunc('quarter', i.occurred_at)
            else date_trunc('year', i.occurred_at)
                + case when month(i.occurred_at) > 6 then interval 6 month else interval 0 month end
        end as date) as period_start
    from interactions_clean as i, (values ('week'), ('month'), ('quarter'), ('half_year')) as g(grain)
    where cast(i.occurred_at as date) <= date '{as_of}'
)
select
    p.customer_id, p.period_grain, p.period_start, p.period_end, p.policy_code, p.required_touches,
    count(c.channel) as qualifying_touches,
    case
        when count(c.channel) >= p.required_touches then 'compliant'
        when p.period_end >= date '{as_of}' then 'due'
        else 'missed'
    end as period_status
from periods as p
left join touches as t
    on t.customer_id = p.customer_id and t.period_grain = p.period_grain and t.period_start = p.period_start
left join cadence_channels as c on c.policy_code = p.policy_code and c.channel = t.channel
group by p.customer_id, p.period_grain, p.period_start, p.period_end, p.policy_code, p.required_touches;

-- ------------------------------------------------------------------ monthly KPIs (overall)
create or replace table kpi_monthly as
with months as (
    select cast(m as date) as month_start, cast(m + interval 1 month - interval 1 day as date) as month_end
    from generate_series(
        (select date_trunc('month', min(order_date)) from orders_clean), date_trunc('month', date '{as_of}'),
        interval 1 month
    ) as s(m)
),
orders_m as (
    select date_trunc('month', order_date) as month_start, sum(amount) as revenue, count(*) as orders
    from orders_clean where status = 'completed' and order_date <= date '{as_of}' group by 1
),
surveys_m as (
    select date_trunc('month', responded_on) as month_start,
        avg(score_overall) as csat_avg,
        100.0 * (count(*) filter (where nps_score >= 9) - count(*) filter (where nps_score <= 6))
            / nullif(count(nps_score), 0) as nps
    from surveys_clean where responded_on <= date '{as_of}' group by 1
),
complaints_m as (
    select date_trunc('month', opened_on) as month_start, count(*) as complaints
    from complaints_clean where opened_on <= date '{as_of}' group by 1
),
logging_m as (
    select date_trunc('month', occurred_at) as month_start,
        avg(case when logged_at - occurred_at <= interval 24 hour then 1.0 else 0.0 end) as logging_sla_rate
    from interactions_clean where logged_at is not null and cast(occurred_at as date) <= date '{as_of}' group by 1
),
cadence_m as (
    select date_trunc('month', period_end) as month_start,
        avg(case when period_status = 'compliant' then 1.0 else 0.0 end) as cadence_compliance_rate
    from cadence_compliance where period_status != 'due' group by 1
),
churn_events as (
    -- a state interval that turns the customer churned, by month
    select distinct customer_id, date_trunc('month', valid_from) as month_start
    from (
        select *, lag(lifecycle_stage) over (partition by customer_id order by valid_from) as previous_stage
        from customer_states
    )
    where lifecycle_stage = 'churned' and previous_stage is distinct from 'churned'
),
churn_m as (
    -- active at month start (state of the day before) -> churned during the month
    select
        m.month_start,
        count(*) as active_at_start,
        count(e.customer_id) as churned
    from months as m
    join customer_states as s
        on s.valid_from <= m.month_start - 1 and (s.valid_to is null or s.valid_to > m.month_start - 1)
    left join churn_events as e on e.customer_id = s.customer_id and e.month_start = m.month_start
    where s.lifecycle_stage not in ('prospect', 'churned')
    group by 1
),
leads_m as (
    select date_trunc('month', created_on) as month_start,
        avg(case when status = 'converted' or converted_at is not null then 1.0 else 0.0 end) as lead_conversion_rate
    from leads_clean where created_on <= date '{as_of}' group by 1
)
select
    m.month_start,
    o.revenue, o.orders, o.revenue / nullif(o.orders, 0) as avg_order_value,
    s.nps, s.csat_avg, c.complaints, l.logging_sla_rate, k.cadence_compliance_rate,
    ch.churned / nullif(ch.active_at_start, 0) as churn_rate,
    ld.lead_conversion_rate
from months as m
left join orders_m as o using (month_start)
left join surveys_m as s using (month_start)
left join complaints_m as c using (month_start)
left join logging_m as l using (month_start)
left join cadence_m as k using (month_start)
left join churn_m as ch using (month_start)
left join leads_m as ld using (month_start)
order by m.month_start;
