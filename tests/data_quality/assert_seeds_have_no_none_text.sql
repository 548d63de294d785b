{#- No text cell of any seed is the string 'None'. dbt-spark's own seed loader lands an
    empty CSV cell as 'None' (so a not_null test passes on it and `is null` joins miss);
    macros/portability/spark/spark__load_csv_rows.sql lands it as null. Fails with one row
    per such cell. Every seed of the project must be listed here (checked at execution). -#}
{%- set seed_names = [
    'policy_cadence', 'policy_cadence_channels', 'policy_completeness_targets',
    'policy_kpi_targets', 'policy_lead_sla', 'policy_value_tiers', 'ref_codes',
] -%}
{%- set relations = {} -%}
{%- for seed_name in seed_names -%}
    {%- do relations.update({seed_name: ref(seed_name)}) -%}
{%- endfor -%}
{%- set checks = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'seed' and node.package_name == project_name -%}
        {%- if node.name not in seed_names -%}
            {{ exceptions.raise_compiler_error(
                'assert_seeds_have_no_none_text: seed ' ~ node.name ~ ' is not in its seed_names list') }}
        {%- endif -%}
        {%- for column_name, data_type in node.config.column_types.items()
            if data_type | lower in ('varchar', 'text', 'string') -%}
            {%- do checks.append({'seed_name': node.name, 'column_name': column_name}) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}

with

none_cells as (

    {% for check in checks %}
        select
            '{{ check.seed_name }}' as seed_name,
            '{{ check.column_name }}' as column_name
        from {{ relations[check.seed_name] }}
        where {{ adapter.quote(check.column_name) }} = 'None'
        {% if not loop.last %}union all{% endif %}
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as seed_name,
            cast(null as {{ dbt.type_string() }}) as column_name
        where 1 = 0
    {% endfor %}

),

final as (

    select * from none_cells

)

select * from final
