{{ stage_crm_rows('opportunities', references={'customer_id': ref('stg_crm__customers')}) }}
