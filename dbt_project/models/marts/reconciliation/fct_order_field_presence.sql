{#- One row per order with the fields completeness is measured on; null = the source omitted it.
    Receiver details are masked here: marts are read by finance, presence is what matters. -#}
with

orders as (
    select * from {{ ref('int_orders__unified') }}
),

final as (
    select
        unified_key,
        platform,
        state,
        native_status,
        created_at,
        paid_at,
        payment_fen,
        case when nullif(receiver_name, '') is not null then left(receiver_name, 1) || '**' end
            as receiver_name,
        case when nullif(receiver_phone, '') is not null then '***' || right(receiver_phone, 4) end
            as receiver_phone
    from orders
)

select * from final
