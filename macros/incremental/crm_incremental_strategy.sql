{% macro crm_incremental_strategy() -%}
    {#- The dbt incremental strategy of the reprocessed facts (crm_reprocess_config), by
        engine; none = build them as plain tables on that engine. -#}
    {{ return(adapter.dispatch('crm_incremental_strategy')()) }}
{%- endmacro %}

{% macro default__crm_incremental_strategy() -%}
    {#- DuckDB and PostgreSQL: the pre-hook deletes the rows to reprocess, the strategy
        appends the recomputed ones; both statements run in the model's transaction, so
        this is delete+insert on a condition instead of on a unique key. -#}
    {{ return('append') }}
{%- endmacro %}

{% macro spark__crm_incremental_strategy() -%}
    {#- Spark (parquet tables) has only append and insert_overwrite of partitions and no
        delete: until a partition layout for reprocessing is designed, plain tables. -#}
    {{ return(none) }}
{%- endmacro %}
