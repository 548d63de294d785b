{{ stage_crm_rows('tickets', references={'customer_id': ref('stg_crm__customers')}) }}
