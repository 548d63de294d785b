{{ stage_crm_rows('maintenance_plan', references={'customer_id': ref('stg_crm__customers')}) }}
