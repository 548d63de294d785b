{{ stage_crm_rows('surveys', references={'customer_id': ref('stg_crm__customers')}) }}
