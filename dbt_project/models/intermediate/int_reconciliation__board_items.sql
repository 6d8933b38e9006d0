{#- The reconciliation board as of this build: one item per paid order (plus ERP or ledger
    records that reference no known order), coloured green (matched), yellow (needs a person) or
    red (unmatched). A held order the ERP booked as paid stays yellow: risk control decides, a
    person follows up. The snapshot `snap_reconciliation_board` keeps its history. -#}
with

orders as (
    select * from {{ ref('int_orders__unified') }} where paid_at is not null
),

diffs as (
    select * from {{ ref('int_reconciliation__diffs') }}
),

issue_priority as (
    select
        diffs.*,
        coalesce(
            unified_key,
            case when in_erp then 'U8:' else 'LEDGER:' end || platform || ':' || native_order_id
        ) as item_key,
        case
            -- needs a person, not a fix: never the headline when something else disagrees
            when reason_code = 'hold_booked_as_paid' then 8
            when issue = 'status_mismatch' then 1
            when issue = 'amount_mismatch' then 2
            when issue = 'missing_in_erp' then 3
            when issue = 'missing_in_ledger' then 4
            when issue = 'time_mismatch' then 5
            when issue = 'duplicate' then 6
            else 7
        end as priority
    from diffs
),

diffs_by_item as (
    select
        item_key,
        min(unified_key) as unified_key,
        min(platform) as platform,
        min(native_order_id) as native_order_id,
        (array_agg(reason_code order by priority, reason_code))[1] as primary_reason_code,
        (array_agg(detail order by priority, reason_code))[1] as primary_detail,
        string_agg(distinct issue, ', ' order by issue) as issues,
        bool_and(issue = 'amount_mismatch') as only_amount_issues,
        bool_and(reason_code = 'hold_booked_as_paid') as only_hold_issues,
        count(*) as issue_count
    from issue_priority
    group by item_key
),

order_items as (
    select
        orders.unified_key as item_key,
        orders.unified_key,
        orders.platform,
        orders.native_order_id,
        orders.refund_status,
        orders.has_pending_refund,
        orders.is_on_hold,
        orders.paid_at,
        greatest(orders.last_received_at, orders.erp_received_at, orders.ledger_received_at)
            as source_changed_at
    from orders
),

items as (
    select
        coalesce(order_items.item_key, diffs_by_item.item_key) as item_key,
        coalesce(order_items.unified_key, diffs_by_item.unified_key) as unified_key,
        coalesce(order_items.platform, diffs_by_item.platform) as platform,
        coalesce(order_items.native_order_id, diffs_by_item.native_order_id) as native_order_id,
        coalesce(order_items.refund_status, 'none') as refund_status,
        coalesce(order_items.has_pending_refund, false) as has_pending_refund,
        coalesce(order_items.is_on_hold, false) as is_on_hold,
        order_items.paid_at,
        order_items.source_changed_at,
        diffs_by_item.primary_reason_code,
        diffs_by_item.primary_detail,
        diffs_by_item.issues,
        coalesce(diffs_by_item.only_amount_issues, false) as only_amount_issues,
        coalesce(diffs_by_item.only_hold_issues, false) as only_hold_issues,
        coalesce(diffs_by_item.issue_count, 0) as issue_count
    from order_items
    full outer join diffs_by_item on order_items.item_key = diffs_by_item.item_key
),

coloured as (
    select
        items.*,
        case
            when issue_count > 0
                and not (only_amount_issues and has_pending_refund)
                and not only_hold_issues
                then 'red'
            when issue_count > 0 or refund_status = 'partial' or is_on_hold or has_pending_refund
                then 'yellow'
            else 'green'
        end as color
    from items
),

final as (
    select
        item_key,
        unified_key,
        platform,
        native_order_id,
        color,
        case
            when color = 'red' then primary_reason_code
            when only_hold_issues then 'hold_booked_as_paid'
            when issue_count > 0 then 'pending_refund_explains_amount'
            when is_on_hold then 'risk_control_hold'
            when refund_status = 'partial' then 'partial_refund'
            when has_pending_refund then 'pending_refund'
            else 'matched'
        end as reason_code,
        coalesce(
            primary_detail,
            case
                when is_on_hold then 'funds held by risk control: not paid success yet'
                when refund_status = 'partial'
                    then 'partially refunded: confirm the refund in the ledger'
                when has_pending_refund then 'refund in progress'
                else 'platform, ERP and ledger agree'
            end
        ) as detail,
        issues,
        issue_count,
        paid_at,
        source_changed_at
    from coloured
)

select * from final
