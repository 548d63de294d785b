{{ stage_crm_rows('tier_reviews', references={'customer_id': ref('stg_crm__customers')}) }}
