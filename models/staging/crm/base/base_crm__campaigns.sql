{{ stage_crm_rows('campaigns') }}
