{% macro crm_upstream_nodes(unique_id) -%}
    {#- Every node the given node depends on, directly or not, as graph nodes (execution
        time only; empty while dbt parses). -#}
    {%- set found = {} -%}
    {%- if execute -%}
        {%- set frontier = [unique_id] -%}
        {%- for _ in range(100) if frontier | length > 0 -%}
            {%- set next_frontier = [] -%}
            {%- for node_id in frontier -%}
                {%- set node = graph.nodes.get(node_id) -%}
                {%- if node is not none -%}
                    {%- for parent in node.depends_on.nodes if parent not in found -%}
                        {%- do found.update({parent: graph.nodes.get(parent)}) -%}
                        {%- do next_frontier.append(parent) -%}
                    {%- endfor -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do frontier.clear() -%}
            {%- do frontier.extend(next_frontier) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found.values() | reject('none') | list) }}
{%- endmacro %}
