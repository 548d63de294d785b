{#- 客户 — one row per customer that exists on the as-of date, with its current value tier,
    segment and lifecycle stage, the measures the rules used, and one line per rule saying
    why (English and Chinese; int_customer_states_explained). No personal data: contact,
    phone, e-mail, address and birthday are only counted for profile completeness. -#}
{%- set required_columns = customer_profile_required_columns() -%}
{%- set filled_terms = [] -%}
{%- for column_name in required_columns -%}
    {%- do filled_terms.append('case when ' ~ column_name ~ ' is not null then 1 else 0 end') -%}
{%- endfor -%}

with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

explained as (

    select * from {{ ref('int_customer_states_explained') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

profiles as (

    select
        customer_id,
        {{ filled_terms | join(' + ') if filled_terms else '0' }} as required_fields_filled,
        {{ required_columns | length }} as required_fields_total
    from customers

),

final as (

    select
        customers.customer_id,
        customers.customer_name,
        customers.industry,
        industry_codes.label_zh as industry_label_zh,
        customers.customer_type,
        customer_type_codes.label_zh as customer_type_label_zh,
        customers.owner_rep_id,
        sales_reps.team,
        customers.acquired_at,
        explained.is_strategic,
        explained.first_order_date,
        explained.last_order_date,
        explained.tenure_days,
        explained.days_since_last_order,
        explained.annual_spend,
        explained.previous_annual_spend,
        explained.orders_last_365d,
        explained.orders_prev_365d,
        explained.complaints_last_90d,
        explained.nps_responses_365d,
        cast(round(explained.customer_nps, 2) as decimal(7, 2)) as customer_nps,
        explained.value_tier,
        value_tier_codes.label_zh as value_tier_label_zh,
        explained.tier_rank,
        explained.rule_value_tier,
        rule_value_tier_codes.label_zh as rule_value_tier_label_zh,
        explained.is_downgrade_pending,
        explained.value_tier_reason,
        explained.value_tier_reason_zh,
        explained.segment,
        segment_codes.label_zh as segment_label_zh,
        explained.segment_reason,
        explained.segment_reason_zh,
        explained.lifecycle_stage,
        lifecycle_stage_codes.label_zh as lifecycle_stage_label_zh,
        explained.lifecycle_stage_reason,
        explained.lifecycle_stage_reason_zh,
        explained.state_valid_from,
        profiles.required_fields_filled,
        cast(
            case
                when profiles.required_fields_total > 0
                    then
                        cast(profiles.required_fields_filled as {{ dbt.type_numeric() }})
                        / profiles.required_fields_total
            end as decimal(5, 4)
        ) as profile_completeness,
        {{ crm_as_of_date() }} as as_of_date
    from customers
    inner join explained on customers.customer_id = explained.customer_id
    left join profiles on customers.customer_id = profiles.customer_id
    left join sales_reps on customers.owner_rep_id = sales_reps.rep_id
    left join codes as industry_codes
        on customers.industry = industry_codes.code and industry_codes.code_list = 'industry'
    left join codes as customer_type_codes
        on customers.customer_type = customer_type_codes.code and customer_type_codes.code_list = 'customer_type'
    left join codes as value_tier_codes
        on explained.value_tier = value_tier_codes.code and value_tier_codes.code_list = 'value_tier'
    left join codes as rule_value_tier_codes
        on explained.rule_value_tier = rule_value_tier_codes.code and rule_value_tier_codes.code_list = 'value_tier'
    left join codes as segment_codes
        on explained.segment = segment_codes.code and segment_codes.code_list = 'segment'
    left join codes as lifecycle_stage_codes
        on
            explained.lifecycle_stage = lifecycle_stage_codes.code
            and lifecycle_stage_codes.code_list = 'lifecycle_stage'

)

select * from final
