{#- One row per platform order that has at least one refund, from the refund sources (the latest
    parseable version of each refund): what was refunded, whether any refund is still open, and
    whether a successful one was a Pinduoduo refund only (仅退款). Closed or refused refunds count
    for nothing. -#}

with

refunds as (
    {{ union_refunds('refund_models') }}
),

final as (
    select
        platform,
        native_order_id,
        count(*) as refund_count,
        count(*) filter (where refund_phase in ('refunded', 'refund_only'))
            as successful_refund_count,
        coalesce(
            sum(refund_fen) filter (where refund_phase in ('refunded', 'refund_only')), 0
        )::bigint as refunded_fen,
        bool_or(refund_phase = 'refund_only') as has_refund_only,
        bool_or(refund_phase = 'pending') as has_pending_refund,
        max(modified_at) as last_refund_modified_at
    from refunds
    group by platform, native_order_id
)

select * from final
