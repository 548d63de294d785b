{{ stage_crm_rows('campaign_members', references={
    'campaign_id': ref('stg_crm__campaigns'),
    'customer_id': ref('stg_crm__customers'),
}) }}
