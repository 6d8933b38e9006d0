with

diffs as (
    select * from {{ ref('int_reconciliation__diffs') }}
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
    from diffs
)

select * from final
