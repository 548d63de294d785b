{% macro crm_build_fingerprint() -%}
    {#- What a reprocessed fact's rows depend on besides the data: the code, seeds and vars.
        `crmwh nightly` passes var crm_build_fingerprint (a hash of models/, macros/, seeds/,
        dbt_project.yml and the --vars other than as_of_date); a manual dbt run falls back to
        the checksums of every model and seed in the graph. A fact whose stored fingerprint
        differs is reprocessed whole. -#}
    {%- set given = var('crm_build_fingerprint', none) -%}
    {%- if given -%}
        {{ return(given | string) }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | sort(attribute='unique_id')
            if node.resource_type in ('model', 'seed') -%}
            {%- do parts.append(node.unique_id ~ '=' ~ node.checksum.checksum) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('graph:' ~ local_md5(parts | join(','))) }}
{%- endmacro %}
