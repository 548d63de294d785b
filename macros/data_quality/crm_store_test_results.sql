{% macro crm_store_test_results(results, batch_size=100) -%}
    {#- on-run-end hook: appends one row per data test (and unit test) of this dbt
        invocation to the audit table crm_test_results_relation(). dbt runs on-run-end
        hooks after every node has finished, also when tests failed or models errored, so
        a failed night keeps its results. Returns no SQL (the inserts run here). -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tests = [] -%}
    {%- for result in results
        if result.node is defined and result.node.resource_type | string in ('test', 'unit_test') -%}
        {%- do tests.append(result) -%}
    {%- endfor -%}
    {%- if tests | length == 0 -%}
        {{ return('') }}
    {%- endif -%}

    {%- set relation = crm_ensure_test_results_table() -%}
    {%- set selector = invocation_args_dict.get('select') -%}
    {%- if selector is not none and selector is not string -%}
        {%- set selector = selector | join(' ') -%}
    {%- endif -%}
    {%- set run_values = {
        'run_id': crm_quote_literal(invocation_id),
        'run_started_at': "cast(" ~ crm_quote_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f')) ~ " as "
            ~ dbt.type_timestamp() ~ ")",
        'as_of_date': "cast(" ~ crm_quote_literal(var('as_of_date')) ~ " as date)",
        'dbt_command': crm_quote_literal(invocation_args_dict.get('which')),
        'run_selector': crm_quote_literal(selector or none),
        'target_name': crm_quote_literal(target.name),
        'recorded_at': "cast(" ~ crm_quote_literal(modules.datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S.%f'))
            ~ " as " ~ dbt.type_timestamp() ~ ")",
    } -%}

    {%- set rows = [] -%}
    {%- for result in tests -%}
        {%- set node = result.node -%}
        {%- set resource_type = node.resource_type | string -%}
        {%- set test_metadata = node.test_metadata if node.test_metadata is defined else none -%}
        {%- if resource_type == 'unit_test' -%}
            {%- set test_type = 'unit' -%}
            {%- set test_kind = none -%}
            {%- set model_name = crm_node_name(node.tested_node_unique_id)
                if node.tested_node_unique_id is defined else none -%}
        {%- elif test_metadata -%}
            {%- set test_type = 'generic' -%}
            {%- set test_kind = test_metadata.name -%}
            {%- set model_name = crm_node_name(node.attached_node) -%}
        {%- else -%}
            {%- set test_type = 'singular' -%}
            {%- set test_kind = none -%}
            {%- set parents = [] -%}
            {%- for parent in node.depends_on.nodes if parent.startswith('model.') -%}
                {%- do parents.append(parent) -%}
            {%- endfor -%}
            {%- set model_name = crm_node_name(parents[0]) if parents | length == 1 else none -%}
        {%- endif -%}
        {%- set config = node.config -%}
        {%- set values = [
            run_values.run_id,
            run_values.run_started_at,
            run_values.as_of_date,
            run_values.dbt_command,
            run_values.run_selector,
            run_values.target_name,
            crm_quote_literal(node.unique_id),
            crm_quote_literal(node.name),
            crm_quote_literal(test_type),
            crm_quote_literal(test_kind),
            crm_quote_literal(model_name),
            crm_quote_literal(node.column_name if node.column_name is defined else none),
            crm_quote_literal(result.status | string | lower),
            result.failures if result.failures is number else 'null',
            crm_quote_literal((config.severity | lower) if config.severity is defined and config.severity else none),
            crm_quote_literal(config.warn_if if config.warn_if is defined else none),
            crm_quote_literal(config.error_if if config.error_if is defined else none),
            crm_quote_literal(modules.re.sub('\\x1b\\[[0-9;]*m', '', result.message) if result.message else none),
            result.execution_time if result.execution_time is number else 'null',
            crm_quote_literal(node.relation_name if node.relation_name is defined else none),
            run_values.recorded_at,
        ] -%}
        {%- do rows.append('(' ~ values | join(', ') ~ ')') -%}
    {%- endfor -%}

    {%- for batch in rows | batch(batch_size) -%}
        {%- set insert -%}
            insert into {{ relation }} (
                run_id, run_started_at, as_of_date, dbt_command, run_selector, target_name,
                test_unique_id, test_name, test_type, test_kind, model_name, column_name,
                status, failures, severity, warn_if, error_if, message, execution_seconds,
                failures_relation, recorded_at
            ) values
            {{ batch | join(',\n') }}
        {%- endset -%}
        {%- do run_query(insert) -%}
    {%- endfor -%}
    {%- do crm_commit() -%}
    {{ log('crm_store_test_results: ' ~ rows | length ~ ' test results saved to ' ~ relation, info=true) }}
    {{ return('') }}
{%- endmacro %}
