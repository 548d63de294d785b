{{ config(severity='error') }}
{#- 个人信息检查 (PIPL): no phone number or e-mail address in clear text in any BI-facing
    mart. Scans every text column of every model in the marts schema except the rep's own
    work list (mart_customer_worklist) for the patterns of crm_personal_data_patterns()
    (Chinese mobile, office number, e-mail) and fails with one row per model, column and
    pattern that matched, with the number of matching rows. The values themselves are not
    returned, so the stored failures (schema audit) do not copy personal data.

    The marts to scan are found in the project graph when the test runs, so a new mart is
    scanned without editing this file. But dbt orders a test only after the models it
    refs, and refs must be written out (dbt parses before the graph exists): list every
    mart in `scanned_marts` below so that the scan runs after tonight's build of it. Test
    assert_marts_registered_for_personal_data_scan warns about a mart missing here. -#}
{%- set scanned_marts = [
    'dim_customers',
    'customer_tier_history',
    'fct_cadence_compliance',
    'fct_tier_reviews',
    'fct_interactions',
    'fct_tickets',
    'fct_leads',
    'fct_opportunities',
    'fct_orders',
    'fct_plan_attainment',
    'mart_load_reconciliation',
    'mart_data_completeness',
    'mart_quarantine_summary',
    'mart_test_results',
    'fct_survey_responses',
    'mart_kpi_monthly',
    'mart_kpi_quarterly',
    'mart_rep_scorecard',
    'mart_campaign_effectiveness',
] -%}
{%- set allowed_marts = ['mart_customer_worklist'] -%}
{%- for mart in scanned_marts %}
-- depends_on: {{ ref(mart) }}
{%- endfor %}
{%- set scans = [] -%}
{%- if execute -%}
    {%- set marts_schema = generate_schema_name('marts', none) | trim -%}
    {%- for node in graph.nodes.values() | sort(attribute='name')
        if node.resource_type == 'model'
        and node.schema == marts_schema
        and node.name not in allowed_marts
        and node.config.materialized != 'ephemeral' -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if relation is not none -%}
            {%- set text_columns = [] -%}
            {%- for column in adapter.get_columns_in_relation(relation) if column.is_string() -%}
                {%- do text_columns.append(column.name) -%}
            {%- endfor -%}
            {%- if text_columns | length > 0 -%}
                {%- do scans.append({'model': node.name, 'relation': relation, 'columns': text_columns}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

findings as (

    {{ crm_personal_data_findings(scans) }}

)

select * from findings
where matching_rows > 0
