{#- Shared by the four platform *_versions models: map native statuses through the status_map
    seed, and the standard column list every platform version model ends with. Refunds are not
    read from orders (no platform keeps refund amounts on the order object): they come from the
    refund sources, int_refunds__by_order. native_refund_status is the order's own after-sale
    signal, informational only.

    One rule on top of the seed: a native status that maps to `paid` while the version carries
    no payment time proves only `created` (JD WAIT_SELLER_STOCK_OUT also covers cash-on-delivery
    and pay-later orders, docs/domain.md §2). Later stages are fulfilment facts and stand unpaid.
    A hold freezes funds that were paid: an unpaid version is never on hold. -#}

{% macro map_native_statuses(platform, typed='typed', extra_hold='false') -%}
status_map as (
    select * from {{ ref('status_map') }} where platform = '{{ platform }}'
),

mapped as (
    select
        {{ typed }}.*,
        case
            when status_map.state = 'paid' and {{ typed }}.paid_at is null then 'created'
            else status_map.state
        end as state,
        status_map.is_cancelled as status_is_cancelled,
        (status_map.is_on_hold or {{ extra_hold }}) and {{ typed }}.paid_at is not null
            as is_on_hold
    from {{ typed }}
    left join status_map on {{ typed }}.native_status = status_map.native_status
)
{%- endmacro %}

{% macro standard_version_columns(platform) -%}
        raw_id,
        received_at,
        payload_md5,
        '{{ platform }}'::text as platform,
        native_id,
        native_status,
        native_refund_status,
        state,
        status_is_cancelled,
        is_on_hold,
        created_at,
        paid_at,
        shipped_at,
        completed_at,
        coalesce(modified_at, created_at) as modified_at,
        time_precision,
        payment_fen,
        post_fee_fen,
        receiver_name,
        receiver_phone
{%- endmacro %}
