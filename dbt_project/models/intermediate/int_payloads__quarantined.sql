{#- Every source's versions model, from the registry
    (domain/sources.py, var quarantine_sources). -#}
{%- set versions = var('quarantine_sources') -%}

with

{% for source_name, model in versions %}
{{ source_name }}_rejected as (
    select
        '{{ source_name }}'::text as source,
        raw_id,
        native_id,
        parse_error as reason,
        received_at
    from {{ ref(model) }}
    where parse_error is not null
),
{% endfor %}

refused_at_landing as (
    select
        source,
        raw_id,
        native_id,
        reason,
        received_at
    from {{ source('raw', 'rejected_payloads') }}
),

unioned as (
    {% for source_name, model in versions %}
    select * from {{ source_name }}_rejected
    union all
    {% endfor %}
    select * from refused_at_landing
),

final as (
    select
        source,
        raw_id,
        native_id,
        reason,
        split_part(reason, ':', 1) as reason_kind,
        received_at
    from unioned
)

select * from final
