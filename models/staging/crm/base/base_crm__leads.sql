{{ stage_crm_rows('leads') }}
