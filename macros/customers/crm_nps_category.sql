{% macro crm_nps_category(score) -%}
    {#- Net Promoter category of a 0-10 likelihood-to-recommend score, by the standard NPS
        definition (not a team policy): promoter 9-10, passive 7-8, detractor 0-6;
        null when there is no score. -#}
    case
        when {{ score }} is null then null
        when {{ score }} >= 9 then 'promoter'
        when {{ score }} >= 7 then 'passive'
        else 'detractor'
    end
{%- endmacro %}
