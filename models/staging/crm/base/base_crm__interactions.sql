{{ stage_crm_rows('interactions', references={'customer_id': ref('stg_crm__customers')}) }}
