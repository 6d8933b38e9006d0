{#- 差异明细 (diff detail): one row per (order, disagreement) across the platform, the U8 ERP
    and the ledger, with which of them have the order and the reason code that names the likely
    root cause. -#}
{%- set erp_lag = "interval '" ~ var('erp_booking_lag') ~ "'" %}
{%- set ledger_lag = "interval '" ~ var('ledger_booking_lag') ~ "'" %}
{%- set china_tz = var('china_time_zone') %}

with

orders as (
    select * from {{ ref('int_orders__unified') }}
),

erp_orders as (
    select * from {{ ref('stg_u8__sales_orders') }}
),

ledger_entries as (
    select * from {{ ref('stg_ledger__entries') }}
),

platform_orders as (
    select platform, native_order_id from orders
),

erp_refs as (
    select distinct platform, native_order_id from erp_orders
),

ledger_refs as (
    -- every order the ledger references, with its entries
    select
        platform,
        native_order_id,
        min(booked_at) as first_booked_at,
        string_agg(entry_type || ' ' || native_id, ', ' order by booked_at, native_id) as entries
    from ledger_entries
    group by platform, native_order_id
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
    -- held orders are not paid success yet: the ERP need not have them
    where not in_erp and not is_on_hold
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

erp_hold_booked_as_paid as (
    -- risk control holds the funds: not paid success yet, so a live ERP sales order is early
    select
        unified_key, platform, native_order_id, 'U8'::text as source_system,
        'status_mismatch'::text as issue,
        'hold_booked_as_paid'::text as reason_code,
        'ERP ' || erp_status
            || ' books an order risk control holds (funds frozen, not paid success)' as detail,
        window_start
    from paid_orders
    where in_erp and is_on_hold and not erp_is_cancelled
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

erp_times as (
    select
        paid_orders.*,
        {{ coarser_precision('erp_time_precision', 'time_precision') }} as compared_precision
    from paid_orders
    where in_erp
),

erp_time_mismatch as (
    -- the ERP books after the payment, within its booking lag (compared at the coarser precision
    -- of the two sides); a booking that fits once moved 8 hours either way is a time-zone slip
    select
        unified_key, platform, native_order_id, 'U8'::text as source_system,
        'time_mismatch'::text as issue,
        {{ time_mismatch_reason(
            'erp_created_at', 'paid_at', 'compared_precision', erp_lag
        ) }} as reason_code,
        'ERP created '
            || to_char(erp_created_at at time zone '{{ china_tz }}', 'YYYY-MM-DD HH24:MI:SS')
            || ', paid ' || to_char(paid_at at time zone '{{ china_tz }}', 'YYYY-MM-DD HH24:MI:SS')
            || ' (China time, by the ' || compared_precision || '): expected within '
            || '{{ var("erp_booking_lag") }} after payment' as detail,
        window_start
    from erp_times
    where not {{ booked_within_lag(
        'erp_created_at', 'paid_at', 'compared_precision', erp_lag
    ) }}
),

ledger_times as (
    select
        paid_orders.*,
        {{ coarser_precision('ledger_time_precision', 'time_precision') }} as compared_precision
    from paid_orders
    where in_ledger
),

ledger_time_mismatch as (
    -- the ledger books the settlement as the payment arrives, within its booking lag
    select
        unified_key, platform, native_order_id, 'LEDGER'::text as source_system,
        'time_mismatch'::text as issue,
        {{ time_mismatch_reason(
            'ledger_settled_at', 'paid_at', 'compared_precision', ledger_lag
        ) }} as reason_code,
        'ledger booked '
            || to_char(ledger_settled_at at time zone '{{ china_tz }}', 'YYYY-MM-DD HH24:MI:SS.MS')
            || ', paid ' || to_char(paid_at at time zone '{{ china_tz }}', 'YYYY-MM-DD HH24:MI:SS')
            || ' (China time, by the ' || compared_precision || '): expected within '
            || '{{ var("ledger_booking_lag") }} after payment' as detail,
        window_start
    from ledger_times
    where not {{ booked_within_lag(
        'ledger_settled_at', 'paid_at', 'compared_precision', ledger_lag
    ) }}
),

duplicates_in_erp as (
    select
        unified_key, platform, native_order_id, 'U8'::text as source_system,
        'duplicate'::text as issue,
        'duplicate_in_erp'::text as reason_code,
        erp_order_count || ' U8 sales orders reference it' as detail,
        window_start
    from paid_orders
    where erp_order_count > 1
),

duplicates_in_ledger as (
    select
        unified_key, platform, native_order_id, 'LEDGER'::text as source_system,
        'duplicate'::text as issue,
        'duplicate_in_ledger'::text as reason_code,
        ledger_settlement_count || ' ledger settlements, '
            || {{ fen_text('ledger_settled_fen') }} || ' in all' as detail,
        window_start
    from paid_orders
    where ledger_settlement_count > 1
),

extra_in_erp as (
    select
        null::text as unified_key,
        erp_orders.platform,
        erp_orders.native_order_id,
        'U8'::text as source_system,
        'extra_in_erp'::text as issue,
        'unknown_platform_order'::text as reason_code,
        'U8 sales order ' || erp_orders.native_id || ' references no known platform order'
            as detail,
        {{ recon_window('erp_orders.created_at') }} as window_start
    from erp_orders
    left join platform_orders
        on erp_orders.platform = platform_orders.platform
        and erp_orders.native_order_id = platform_orders.native_order_id
    where platform_orders.native_order_id is null
),

extra_in_ledger as (
    select
        null::text as unified_key,
        ledger_refs.platform,
        ledger_refs.native_order_id,
        'LEDGER'::text as source_system,
        'extra_in_ledger'::text as issue,
        'unknown_platform_order'::text as reason_code,
        'ledger ' || ledger_refs.entries || ' references no known platform order' as detail,
        {{ recon_window('ledger_refs.first_booked_at') }} as window_start
    from ledger_refs
    left join platform_orders
        on ledger_refs.platform = platform_orders.platform
        and ledger_refs.native_order_id = platform_orders.native_order_id
    where platform_orders.native_order_id is null
),

unioned as (
    select * from missing_in_erp
    union all
    select * from missing_in_ledger
    union all
    select * from erp_status_mismatch
    union all
    select * from erp_hold_booked_as_paid
    union all
    select * from erp_amount_mismatch
    union all
    select * from ledger_amount_mismatch
    union all
    select * from erp_time_mismatch
    union all
    select * from ledger_time_mismatch
    union all
    select * from duplicates_in_erp
    union all
    select * from duplicates_in_ledger
    union all
    select * from extra_in_erp
    union all
    select * from extra_in_ledger
),

with_presence as (
    -- which systems have the order at all
    select
        unioned.*,
        platform_orders.native_order_id is not null as in_platform,
        erp_refs.native_order_id is not null as in_erp,
        ledger_refs.native_order_id is not null as in_ledger
    from unioned
    left join platform_orders
        on unioned.platform = platform_orders.platform
        and unioned.native_order_id = platform_orders.native_order_id
    left join erp_refs
        on unioned.platform = erp_refs.platform
        and unioned.native_order_id = erp_refs.native_order_id
    left join ledger_refs
        on unioned.platform = ledger_refs.platform
        and unioned.native_order_id = ledger_refs.native_order_id
),

final as (
    select
        unified_key,
        platform,
        native_order_id,
        source_system,
        issue,
        reason_code,
        in_platform,
        in_erp,
        in_ledger,
        detail,
        window_start
    from with_presence
)

select * from final
