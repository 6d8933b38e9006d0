{#- Fails when a platform order that staging parsed has no row in fct_orders: no unified key
    was allocated for it (int_orders__unified joins keys.order_keys), or it was lost on the way.
    One row per such order, with why. -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_orders'}}}) }}

with

staged_orders as (
    select * from {{ ref('int_orders__staged') }}
),

order_keys as (
    select * from {{ source('keys', 'order_keys') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

final as (
    select
        staged_orders.platform,
        staged_orders.native_order_id,
        case
            when order_keys.unified_key is null then 'no unified key'
            else 'not in fct_orders'
        end as reason
    from staged_orders
    left join order_keys
        on staged_orders.platform = order_keys.platform
        and staged_orders.native_order_id = order_keys.native_id
    left join orders
        on staged_orders.platform = orders.platform
        and staged_orders.native_order_id = orders.native_order_id
    where orders.unified_key is null
)

select * from final
