{% macro crm_is_incremental() -%}
    {#- is_incremental() for the body of a reprocessed fact, false outside `dbt run` / `dbt
        build`: `dbt compile` and the sqlfluff dbt templater then show (and lint) the full
        build's SQL without needing a warehouse to ask whether the table exists. -#}
    {{ return(execute and flags.WHICH in ('run', 'build') and is_incremental()) }}
{%- endmacro %}
