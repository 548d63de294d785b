{#- Monthly and quarterly KPI marts share one body (macro kpi_mart); only the grain differs. -#}
{{ kpi_mart('month') }}
