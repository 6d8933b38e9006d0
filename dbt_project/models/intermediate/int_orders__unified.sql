with

platform_versions as (
    {{ union_platform_versions(where='parse_error is null') }}
),

latest_versions as (
    select distinct on (platform, native_id) *
    from platform_versions
    order by platform asc, native_id asc, modified_at desc, raw_id desc
),

order_keys as (
    select * from {{ source('keys', 'order_keys') }}
),

erp_orders as (
    select distinct on (platform, native_order_id)
        *,
        count(*) over (partition by platform, native_order_id) as erp_order_count
    from {{ ref('stg_u8__sales_orders') }}
    order by platform asc, native_order_id asc, modified_at desc, raw_id desc
),

refunds_by_order as (
    select * from {{ ref('int_refunds__by_order') }}
),

ledger_by_order as (
    select
        platform,
        native_order_id,
        (sum(amount_fen) filter (where entry_type = 'settlement'))::bigint as settled_fen,
        (sum(amount_fen) filter (where entry_type = 'refund'))::bigint as refunded_fen,
        min(booked_at) filter (where entry_type = 'settlement') as settled_at,
        min(time_precision) filter (where entry_type = 'settlement') as settled_time_precision,
        count(*) filter (where entry_type = 'settlement') as settlement_count,
        max(received_at) as received_at
    from {{ ref('stg_ledger__entries') }}
    group by platform, native_order_id
),

reached as (
    select
        platform,
        native_id,
        max({{ state_rank('state') }}) as state_rank,
        min(paid_at) as paid_at,
        coalesce(
            min(shipped_at),
            min(modified_at) filter (where {{ state_rank('state') }} >= 4)
        ) as shipped_at,
        coalesce(
            min(completed_at) filter (where state = 'completed'),
            min(modified_at) filter (where state = 'completed')
        ) as completed_at,
        count(distinct payload_md5) as version_count,
        min(received_at) as first_received_at,
        max(received_at) as last_received_at
    from platform_versions
    group by platform, native_id
),

standardised as (
    select
        latest_versions.platform,
        latest_versions.native_id as native_order_id,
        latest_versions.native_status,
        latest_versions.native_refund_status,
        reached.state_rank,
        {{ state_from_rank('reached.state_rank') }} as state,
        latest_versions.payment_fen,
        latest_versions.post_fee_fen,
        coalesce(refunds_by_order.refunded_fen, 0) as refund_fen,
        coalesce(refunds_by_order.has_refund_only, false) as has_refund_only,
        coalesce(refunds_by_order.has_pending_refund, false) as has_pending_refund,
        latest_versions.is_on_hold,
        latest_versions.status_is_cancelled,
        latest_versions.receiver_name,
        latest_versions.receiver_phone,
        latest_versions.created_at,
        reached.paid_at,
        case when reached.state_rank >= 4 then reached.shipped_at end as shipped_at,
        case when reached.state_rank = 5 then reached.completed_at end as completed_at,
        latest_versions.modified_at as source_modified_at,
        latest_versions.time_precision,
        reached.version_count,
        reached.first_received_at,
        reached.last_received_at
    from latest_versions
    inner join reached
        on latest_versions.platform = reached.platform
        and latest_versions.native_id = reached.native_id
    left join refunds_by_order
        on latest_versions.platform = refunds_by_order.platform
        and latest_versions.native_id = refunds_by_order.native_order_id
),

{# 仅退款 (refund only) means money back with the goods kept: an order refunded that way
    before it shipped was simply refunded (full or partial by amount, and a full refund before
    shipment cancels it). -#}
refunds_classified as (
    select
        standardised.*,
        case
            when has_refund_only and state_rank >= 4 then 'refund_only'
            when refund_fen > 0 and refund_fen >= payment_fen then 'full'
            when refund_fen > 0 then 'partial'
            else 'none'
        end as refund_status
    from standardised
),

final as (
    select
        order_keys.unified_key,
        order_keys.mode as key_mode,
        refunds_classified.platform,
        refunds_classified.native_order_id,
        refunds_classified.native_status,
        refunds_classified.native_refund_status,
        refunds_classified.state,
        refunds_classified.state_rank,
        -- a full refund before shipment cancels the order; partial refunds never do
        refunds_classified.status_is_cancelled
            or (refunds_classified.refund_status = 'full' and refunds_classified.state_rank < 4)
            as is_cancelled,
        refunds_classified.refund_status,
        refunds_classified.has_pending_refund,
        refunds_classified.is_on_hold,
        refunds_classified.payment_fen,
        case
            when refunds_classified.paid_at is not null then refunds_classified.payment_fen
            else 0
        end as paid_fen,
        refunds_classified.post_fee_fen,
        refunds_classified.refund_fen,
        refunds_classified.created_at,
        refunds_classified.paid_at,
        refunds_classified.shipped_at,
        refunds_classified.completed_at,
        refunds_classified.source_modified_at,
        refunds_classified.time_precision,
        erp_orders.native_id is not null as in_erp,
        erp_orders.native_id as erp_order_code,
        erp_orders.native_status as erp_status,
        erp_orders.erp_is_cancelled,
        erp_orders.amount_fen as erp_amount_fen,
        erp_orders.created_at as erp_created_at,
        erp_orders.time_precision as erp_time_precision,
        coalesce(erp_orders.erp_order_count, 0) as erp_order_count,
        erp_orders.received_at as erp_received_at,
        coalesce(ledger_by_order.settled_fen, 0) > 0 as in_ledger,
        coalesce(ledger_by_order.settled_fen, 0) as ledger_settled_fen,
        coalesce(ledger_by_order.refunded_fen, 0) as ledger_refunded_fen,
        ledger_by_order.settled_at as ledger_settled_at,
        ledger_by_order.settled_time_precision as ledger_time_precision,
        coalesce(ledger_by_order.settlement_count, 0) as ledger_settlement_count,
        ledger_by_order.received_at as ledger_received_at,
        refunds_classified.receiver_name,
        refunds_classified.receiver_phone,
        refunds_classified.version_count,
        refunds_classified.first_received_at,
        refunds_classified.last_received_at
    from refunds_classified
    inner join order_keys
        on refunds_classified.platform = order_keys.platform
        and refunds_classified.native_order_id = order_keys.native_id
    left join erp_orders
        on refunds_classified.platform = erp_orders.platform
        and refunds_classified.native_order_id = erp_orders.native_order_id
    left join ledger_by_order
        on refunds_classified.platform = ledger_by_order.platform
        and refunds_classified.native_order_id = ledger_by_order.native_order_id
)

select * from final
