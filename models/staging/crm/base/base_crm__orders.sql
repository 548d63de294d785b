{{ stage_crm_rows('orders', references={'customer_id': ref('stg_crm__customers')}) }}
