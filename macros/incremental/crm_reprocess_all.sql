{% macro crm_reprocess_all() -%}
    {#- SQL boolean: true when the current model must be reprocessed whole: no watermark yet,
        another build fingerprint (code, seeds, vars), an as-of date earlier than the last
        one, or a value-tier scheme that ranks customers against each other (then one
        customer's spend changes every other customer's tier). -#}
    {%- set checks = [
        "coalesce(" ~ crm_incremental_state_value('fingerprint') ~ " != '" ~ crm_build_fingerprint() ~ "', true)",
        "coalesce(" ~ crm_incremental_state_value('last_as_of') ~ " > " ~ crm_as_of_date() ~ ", true)",
        crm_incremental_state_value('last_load_id') ~ " is null",
    ] -%}
    {%- if execute -%}
        {%- for node in crm_upstream_nodes(model.unique_id)
            if node.resource_type == 'seed' and node.name == 'policy_value_tiers' -%}
            {%- do checks.append(
                "exists (select 1 from " ~ node.relation_name ~ " where scheme = '" ~ var('value_tier_scheme')
                ~ "' and rule_type not in ('annual_spend_at_least', 'otherwise'))"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    ({{ checks | join('\n        or ') }})
{%- endmacro %}
