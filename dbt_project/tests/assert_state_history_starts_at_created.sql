{#- Fails for each order whose state history does not start with exactly one transition from
    nothing to created (seq 1), or that has no history at all. -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_order_state_history'}}}) }}

with

orders as (
    select * from {{ ref('fct_orders') }}
),

history as (
    select * from {{ ref('fct_order_state_history') }}
),

starts as (
    select
        unified_key,
        count(*) filter (where from_state is null) as starts,
        bool_or(transition_seq = 1 and from_state is null and to_state = 'created')
            as starts_at_created
    from history
    group by unified_key
),

final as (
    select
        orders.unified_key,
        coalesce(starts.starts, 0) as starts,
        coalesce(starts.starts_at_created, false) as starts_at_created
    from orders
    left join starts on orders.unified_key = starts.unified_key
    where starts.unified_key is null
       or starts.starts <> 1
       or not starts.starts_at_created
)

select * from final
