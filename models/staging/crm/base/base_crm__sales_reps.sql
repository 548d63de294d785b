{{ stage_crm_rows('sales_reps') }}
