{#- 差异明细 (diff detail): one row per (order, disagreement) across the platform, the U8 ERP
    and the ledger, with the reason code that names the likely root cause. -#}
with

orders as (
    select * from {{ ref('int_orders__unified') }}
),

erp_orders as (
    select * from {{ ref('stg_u8__sales_orders') }}
),

platform_orders as (
    select platform, native_order_id from orders
),

paid_orders as (
    select
        orders.*,
        {{ recon_window('orders.paid_at') }} as window_start
    from orders
    where orders.paid_at is not null
),

missing_in_erp as (
    select
        unified_key, platform, native_order_id, 'U8'::text as source_system,
        'missing_in_erp'::text as issue,
        'erp_not_received'::text as reason_code,
        'paid on the platform, no U8 sales order references it' as detail,
        window_start
    from paid_orders
    where not in_erp
),

missing_in_ledger as (
    select
        unified_key, platform, native_order_id, 'LEDGER'::text as source_system,
        'missing_in_ledger'::text as issue,
        'ledger_not_received'::text as reason_code,
        'paid ' || {{ fen_text('paid_fen') }} || ' on the platform, no ledger settlement' as detail,
        window_start
    from paid_orders
    where not in_ledger and not is_on_hold
),

erp_status_mismatch as (
    select
        unified_key, platform, native_order_id, 'U8'::text as source_system,
        'status_mismatch'::text as issue,
        case
            when platform = 'PDD' and refund_status = 'refund_only' and erp_is_cancelled
                then 'pdd_refund_only_as_cancelled'
            else 'status_semantics'
        end as reason_code,
        'ERP ' || erp_status || ' vs platform ' || native_status
            || case when is_cancelled then ' (cancelled)' else ' (not cancelled)' end
            || case when refund_status <> 'none' then ', refund ' || refund_status else '' end
            as detail,
        window_start
    from paid_orders
    where in_erp and erp_is_cancelled is distinct from is_cancelled
),

erp_amount_mismatch as (
    select
        unified_key, platform, native_order_id, 'U8'::text as source_system,
        'amount_mismatch'::text as issue,
        case
            when erp_amount_fen = payment_fen * 100 then 'amount_unit_error'
            when erp_amount_fen = post_fee_fen then 'field_mapping_error'
            else 'amount_differs'
        end as reason_code,
        'ERP isum ' || {{ fen_text('erp_amount_fen') }} || ' vs paid '
            || {{ fen_text('payment_fen') }} as detail,
        window_start
    from paid_orders
    where in_erp and erp_amount_fen <> payment_fen
),

ledger_amount_mismatch as (
    select
        unified_key, platform, native_order_id, 'LEDGER'::text as source_system,
        'amount_mismatch'::text as issue,
        case
            when ledger_settled_fen = paid_fen * 100 then 'amount_unit_error'
            else 'amount_differs'
        end as reason_code,
        'ledger settled ' || {{ fen_text('ledger_settled_fen') }} || ' vs paid '
            || {{ fen_text('paid_fen') }} as detail,
        window_start
    from paid_orders
    where in_ledger and ledger_settlement_count = 1 and ledger_settled_fen <> paid_fen
),

erp_time_mismatch as (
    -- the ERP books after payment; booking earlier than the payment (at the coarser precision
    -- of the two sides) is a time error, and one about 8 hours early is a time-zone slip
    select
        unified_key, platform, native_order_id, 'U8'::text as source_system,
        'time_mismatch'::text as issue,
        case
            when erp_created_at + interval '8 hours'
                between paid_at - interval '1 minute' and paid_at + interval '1 day'
                then 'timezone_drift'
            else 'time_differs'
        end as reason_code,
        'ERP created ' || to_char(erp_created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')
            || ' before payment ' || to_char(paid_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')
            || ' (China time)' as detail,
        window_start
    from paid_orders
    where in_erp
        and {{ at_precision('erp_created_at', coarser_precision('erp_time_precision', 'time_precision')) }}
            < {{ at_precision('paid_at', coarser_precision('erp_time_precision', 'time_precision')) }}
),

ledger_time_mismatch as (
    select
        unified_key, platform, native_order_id, 'LEDGER'::text as source_system,
        'time_mismatch'::text as issue,
        case
            when abs(extract(epoch from ledger_settled_at - paid_at)) between 7 * 3600 and 9 * 3600
                then 'timezone_drift'
            else 'time_differs'
        end as reason_code,
        'ledger booked ' || to_char(ledger_settled_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS.MS')
            || ', paid ' || to_char(paid_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')
            || ' (China time)' as detail,
        window_start
    from paid_orders
    where in_ledger
        and abs(extract(epoch from
            {{ at_precision('ledger_settled_at', coarser_precision('ledger_time_precision', 'time_precision')) }}
            - {{ at_precision('paid_at', coarser_precision('ledger_time_precision', 'time_precision')) }}
        )) > 600
),

duplicates as (
    select
        unified_key, platform, native_order_id,
        case when erp_order_count > 1 then 'U8' else 'LEDGER' end as source_system,
        'duplicate'::text as issue,
        case when erp_order_count > 1 then 'duplicate_in_erp' else 'duplicate_in_ledger' end
            as reason_code,
        erp_order_count || ' ERP sales orders, ' || ledger_settlement_count || ' ledger settlements'
            as detail,
        window_start
    from paid_orders
    where erp_order_count > 1 or ledger_settlement_count > 1
),

extra_in_erp as (
    select
        null::text as unified_key,
        erp_orders.platform,
        erp_orders.native_order_id,
        'U8'::text as source_system,
        'extra_in_erp'::text as issue,
        'unknown_platform_order'::text as reason_code,
        'U8 sales order ' || erp_orders.native_id || ' references no known platform order' as detail,
        {{ recon_window('erp_orders.created_at') }} as window_start
    from erp_orders
    left join platform_orders
        on erp_orders.platform = platform_orders.platform
        and erp_orders.native_order_id = platform_orders.native_order_id
    where platform_orders.native_order_id is null
),

unioned as (
    select * from missing_in_erp
    union all select * from missing_in_ledger
    union all select * from erp_status_mismatch
    union all select * from erp_amount_mismatch
    union all select * from ledger_amount_mismatch
    union all select * from erp_time_mismatch
    union all select * from ledger_time_mismatch
    union all select * from duplicates
    union all select * from extra_in_erp
),

final as (
    select
        unified_key,
        platform,
        native_order_id,
        source_system,
        issue,
        reason_code,
        detail,
        window_start
    from unioned
)

select * from final
