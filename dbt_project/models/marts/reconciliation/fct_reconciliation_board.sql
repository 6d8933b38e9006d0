{#- The three-colour board finance works from: current colour, since when an item has been red,
    and whether it has been red long enough to escalate to IT. -#}
with

history as (
    select * from {{ ref('snap_reconciliation_board') }}
),

current_items as (
    select * from history where dbt_valid_to is null
),

last_not_red as (
    select item_key, max(dbt_valid_to) as left_other_colour_at
    from history
    where color <> 'red'
    group by item_key
),

red_runs as (
    select
        history.item_key,
        min(history.dbt_valid_from) as red_since
    from history
    left join last_not_red on history.item_key = last_not_red.item_key
    where history.color = 'red'
        and history.dbt_valid_from >= coalesce(last_not_red.left_other_colour_at, '-infinity')
    group by history.item_key
),

final as (
    select
        current_items.item_key,
        current_items.unified_key,
        current_items.platform,
        current_items.native_order_id,
        current_items.color,
        current_items.reason_code,
        current_items.detail,
        current_items.issues,
        current_items.issue_count::integer as issue_count,
        case when current_items.color = 'red' then red_runs.red_since end as red_since,
        coalesce(
            current_items.color = 'red'
            and red_runs.red_since <= now() - interval '{{ var("escalate_after") }}',
            false
        ) as escalated,
        case
            when current_items.color = 'red'
                and red_runs.red_since <= now() - interval '{{ var("escalate_after") }}'
                then 'IT'
            when current_items.color in ('red', 'yellow') then 'finance'
        end as assigned_to,
        current_items.dbt_valid_from as color_since,
        current_items.paid_at,
        current_items.source_changed_at,
        now() as board_built_at
    from current_items
    left join red_runs on current_items.item_key = red_runs.item_key
)

select * from final
