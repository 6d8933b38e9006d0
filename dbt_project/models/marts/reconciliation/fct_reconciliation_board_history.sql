with

history as (
    select * from {{ ref('snap_reconciliation_board') }}
),

final as (
    select
        item_key,
        unified_key,
        platform,
        native_order_id,
        color,
        reason_code,
        detail,
        dbt_valid_from as valid_from,
        dbt_valid_to as valid_to
    from history
)

select * from final
