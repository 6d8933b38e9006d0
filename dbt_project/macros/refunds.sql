{#- Shared by the four platform refund *_versions models (docs/payloads.md, "Refunds"): the
    refund phase from the refund_status_map seed, the JSON type a field must have, and the
    standard column list every refund version model ends with. -#}

{#- `phase` may refine the seed's phase (refund_map.refund_phase) with the source's own rule. -#}
{% macro map_refund_statuses(platform, typed='typed', phase='refund_map.refund_phase') -%}
refund_map as (
    select * from {{ ref('refund_status_map') }} where platform = '{{ platform }}'
),

mapped as (
    select
        {{ typed }}.*,
        {{ phase }} as refund_phase
    from {{ typed }}
    left join refund_map on {{ typed }}.native_refund_status = refund_map.native_refund_status
)
{%- endmacro %}

{#- A field present with another JSON type than the source sends (`expected`: a list of
    jsonb_typeof names); an absent or null field is not a changed type. -#}
{% macro changed_type(json_expr, expected) -%}
    (jsonb_typeof({{ json_expr }}) is not null
        and jsonb_typeof({{ json_expr }}) <> 'null'
        and jsonb_typeof({{ json_expr }}) not in ('{{ expected | join("', '") }}'))
{%- endmacro %}

{% macro changed_type_reason(field, json_expr, expected) -%}
    'changed type: {{ field }} is a ' || jsonb_typeof({{ json_expr }}) || ', expected {{ expected | join(" or ") }}'
{%- endmacro %}

{#- A refund exactly 100× what the order it belongs to was paid (both in fen as parsed in the
    source's unit) was sent in the other unit; a refund of 1 % of the payment is legitimate, so
    only this direction is checked. -#}
{% macro refund_unit_mismatch(refund_fen, order_fen) -%}
    (coalesce({{ order_fen }}, 0) <> 0 and {{ refund_fen }} = {{ order_fen }} * 100)
{%- endmacro %}

{% macro refund_unit_reason(field, amount_text, order_field, order_text) -%}
    'money unit: {{ field }} = ' || {{ amount_text }} || ' is 100× {{ order_field }} = ' || {{ order_text }}
{%- endmacro %}

{% macro standard_refund_columns(platform) -%}
        raw_id,
        received_at,
        payload_md5,
        '{{ platform }}'::text as platform,
        native_id,
        native_order_id,
        native_line_id,
        native_refund_status,
        refund_type,
        refund_phase,
        refund_fen,
        created_at,
        coalesce(modified_at, created_at) as modified_at
{%- endmacro %}

{#- The refund version models of every platform, unioned (the list: domain/sources.py). -#}
{% macro union_refunds(models_var, where='true') -%}
    {%- for model in var(models_var) %}
    select * from {{ ref(model) }} where {{ where }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
