{#- The standard fulfilment stages in order; state = the furthest stage reached. -#}
{% macro state_rank(state) -%}
    (case {{ state }}
        when 'created' then 1
        when 'paid' then 2
        when 'picking' then 3
        when 'shipped' then 4
        when 'completed' then 5
    end)
{%- endmacro %}

{% macro state_from_rank(rank) -%}
    (case {{ rank }}
        when 1 then 'created'
        when 2 then 'paid'
        when 3 then 'picking'
        when 4 then 'shipped'
        when 5 then 'completed'
    end)
{%- endmacro %}

{#- The platform version models share one shape; this unions them (the list: domain/sources.py). -#}
{% macro union_platform_versions(where='true') -%}
    {%- for model in var('platform_version_models') %}
    select * from {{ ref(model) }} where {{ where }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
