{#- Per 30-minute window (by payment time) and source system: the source's "paid success" count
    and amount against the aggregated store's, and the drift between them. Held (risk-control)
    orders are not paid success, so the store never counts them: a source that books a held
    order as paid (the ERP, typically) drifts by it. -#}
with

orders as (
    select * from {{ ref('int_orders__unified') }}
),

staged_platform_orders as (
    {%- for model in var('platform_order_models') %}
    select platform, native_id, paid_at, is_on_hold, payment_fen from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

erp_orders as (
    select * from {{ ref('stg_u8__sales_orders') }}
),

ledger_settlements as (
    select * from {{ ref('stg_ledger__entries') }} where entry_type = 'settlement'
),

platform_source as (
    select
        platform as source_system,
        {{ recon_window('paid_at') }} as window_start,
        count(*) as paid_count,
        sum(payment_fen) as paid_fen
    from staged_platform_orders
    where paid_at is not null and not is_on_hold
    group by 1, 2
),

paid_success as (
    -- the store's paid-success orders, the one definition every source is compared against
    select
        platform,
        {{ recon_window('paid_at') }} as window_start,
        paid_fen
    from orders
    where paid_at is not null and not is_on_hold
),

erp_source as (
    -- each ERP sales order is placed in the window of the payment it books
    select
        'U8'::text as source_system,
        {{ recon_window('coalesce(orders.paid_at, erp_orders.created_at)') }} as window_start,
        count(*) as paid_count,
        sum(erp_orders.amount_fen) as paid_fen
    from erp_orders
    left join orders
        on erp_orders.platform = orders.platform
        and erp_orders.native_order_id = orders.native_order_id
    group by 1, 2
),

ledger_source as (
    select
        'LEDGER'::text as source_system,
        {{ recon_window('coalesce(orders.paid_at, ledger_settlements.booked_at)') }}
            as window_start,
        count(*) as paid_count,
        sum(ledger_settlements.amount_fen) as paid_fen
    from ledger_settlements
    left join orders
        on ledger_settlements.platform = orders.platform
        and ledger_settlements.native_order_id = orders.native_order_id
    group by 1, 2
),

sources as (
    select * from platform_source
    union all
    select * from erp_source
    union all
    select * from ledger_source
),

platform_store as (
    select
        platform as source_system,
        window_start,
        count(*) as paid_count,
        sum(paid_fen) as paid_fen
    from paid_success
    group by 1, 2
),

erp_and_ledger_store as (
    -- the ERP and the ledger are each compared against every paid-success order
    select
        systems.source_system,
        paid_success.window_start,
        count(*) as paid_count,
        sum(paid_success.paid_fen) as paid_fen
    from paid_success
    cross join (values ('U8'::text), ('LEDGER'::text)) as systems (source_system)
    group by 1, 2
),

stores as (
    select * from platform_store
    union all
    select * from erp_and_ledger_store
),

joined as (
    select
        coalesce(sources.window_start, stores.window_start) as window_start,
        coalesce(sources.source_system, stores.source_system) as source_system,
        coalesce(sources.paid_count, 0)::bigint as source_paid_count,
        coalesce(stores.paid_count, 0)::bigint as store_paid_count,
        coalesce(sources.paid_fen, 0)::bigint as source_paid_fen,
        coalesce(stores.paid_fen, 0)::bigint as store_paid_fen
    from sources
    full outer join stores
        on sources.source_system = stores.source_system
        and sources.window_start = stores.window_start
),

final as (
    select
        window_start,
        window_start + interval '30 minutes' as window_end,
        source_system,
        source_paid_count,
        store_paid_count,
        source_paid_fen,
        store_paid_fen,
        case
            when source_paid_count = store_paid_count then 0
            when source_paid_count = 0 then 1
            else round(abs(source_paid_count - store_paid_count)::numeric / source_paid_count, 6)
        end as count_drift,
        case
            when source_paid_fen = store_paid_fen then 0
            when source_paid_fen = 0 then 1
            else round(abs(source_paid_fen - store_paid_fen)::numeric / abs(source_paid_fen), 6)
        end as amount_drift
    from joined
)

select
    *,
    -- the drift check's rule (expectations/drift.py): a drift that cannot be computed offends too
    count_drift is null or amount_drift is null
    or greatest(count_drift, amount_drift) > {{ var('drift_threshold') }} as is_drifting
from final
