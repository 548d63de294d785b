{{ stage_crm_rows('customers') }}
