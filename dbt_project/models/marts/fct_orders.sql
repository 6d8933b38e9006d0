with

unified as (
    select * from {{ ref('int_orders__unified') }}
),

final as (
    select
        unified_key,
        platform,
        native_order_id,
        state,
        is_cancelled,
        refund_status,
        has_pending_refund,
        is_on_hold,
        payment_fen,
        paid_fen,
        post_fee_fen,
        refund_fen,
        created_at,
        paid_at,
        shipped_at,
        completed_at,
        source_modified_at,
        time_precision,
        in_erp,
        erp_order_code,
        erp_status,
        erp_amount_fen,
        in_ledger,
        ledger_settled_fen,
        key_mode,
        version_count,
        last_received_at
    from unified
)

select * from final
