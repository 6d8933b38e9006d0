{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'wechat_orders') }}
    {{ new_or_quarantined_raw_rows() }}
),

-- the `order` object; a whole `channels/ec/order/get` answer landed as it came is unwrapped
orders as (
    select
        raw_id,
        received_at,
        payload,
        nullif(payload ->> 'errcode', '0') as api_errcode,
        payload ->> 'errmsg' as api_errmsg,
        case
            when jsonb_typeof(payload -> 'order') = 'object' and payload -> 'order_id' is null
                then payload -> 'order'
            else payload
        end as body
    from source
),

parts as (
    select
        orders.*,
        orders.body -> 'order_detail' -> 'price_info' as price_info,
        orders.body -> 'order_detail' -> 'delivery_info' as delivery_info,
        orders.body -> 'aftersale_detail' as aftersale_detail,
        case
            when jsonb_typeof(orders.body -> 'order_detail' -> 'product_infos') = 'array'
                then orders.body -> 'order_detail' -> 'product_infos'
            else '[]'::jsonb
        end as product_infos,
        case
            when jsonb_typeof(orders.body -> 'aftersale_detail' -> 'aftersale_order_list')
                = 'array'
                then orders.body -> 'aftersale_detail' -> 'aftersale_order_list'
            else '[]'::jsonb
        end as aftersale_list,
        case
            when jsonb_typeof(
                orders.body -> 'order_detail' -> 'delivery_info' -> 'delivery_product_info'
            ) = 'array'
                then orders.body -> 'order_detail' -> 'delivery_info' -> 'delivery_product_info'
            else '[]'::jsonb
        end as packages
    from orders
),

product_lines as (
    select
        parts.raw_id,
        product.line ->> 'sale_price' as sale_price_text,
        product.line ->> 'sku_cnt' as sku_cnt_text,
        product.line ->> 'real_price' as real_price_text,
        product.line ->> 'on_aftersale_sku_cnt' as open_aftersale_skus_text,
        product.line ->> 'finish_aftersale_sku_cnt' as finished_aftersale_skus_text
    from parts
    cross join lateral jsonb_array_elements(parts.product_infos) as product (line)
),

product_lines_typed as (
    select
        raw_id,
        {{ int_fen('sale_price_text') }} * {{ int_fen('sku_cnt_text') }} as sale_fen,
        {{ int_fen('real_price_text') }} as real_fen,
        {{ int_fen('open_aftersale_skus_text') }} as open_aftersale_skus,
        {{ int_fen('finished_aftersale_skus_text') }} as finished_aftersale_skus,
        case
            when sale_price_text is not null and {{ int_fen('sale_price_text') }} is null
                then 'sale_price = ' || sale_price_text
            when sku_cnt_text is not null and {{ int_fen('sku_cnt_text') }} is null
                then 'sku_cnt = ' || sku_cnt_text
            when real_price_text is not null and {{ int_fen('real_price_text') }} is null
                then 'real_price = ' || real_price_text
        end as bad_line_field
    from product_lines
),

lines as (
    select
        raw_id,
        -- sale price × quantity, before order discounts; only when every line has both
        case when count(*) = count(sale_fen) then sum(sale_fen)::bigint end as sale_total_fen,
        -- what the lines paid (real_price), only when every line has it
        case when count(*) = count(real_fen) then sum(real_fen)::bigint end as real_total_fen,
        sum(open_aftersale_skus)::bigint as open_aftersale_skus,
        sum(finished_aftersale_skus)::bigint as finished_aftersale_skus,
        min(bad_line_field) as bad_line_field
    from product_lines_typed
    group by raw_id
),

aftersale_entries as (
    select
        parts.raw_id,
        aftersale.ordinality,
        -- a status name of the after-sale API; an integer `status` has no documented meaning
        case
            when jsonb_typeof(aftersale.entry -> 'status') = 'string'
                then aftersale.entry ->> 'status'
        end as status_name
    from parts
    cross join lateral jsonb_array_elements(parts.aftersale_list)
        with ordinality as aftersale (entry, ordinality)
),

aftersales as (
    select
        raw_id,
        count(*) as aftersale_count,
        (array_agg(status_name order by ordinality desc))[1] as last_status_name
    from aftersale_entries
    group by raw_id
),

packages as (
    select
        parts.raw_id,
        nullif(package.value ->> 'delivery_time', '0') as delivery_text
    from parts
    cross join lateral jsonb_array_elements(parts.packages) as package (value)
),

deliveries as (
    select
        raw_id,
        min({{ epoch_seconds('delivery_text') }}) as first_delivered_at,
        min(delivery_text)
            filter (where {{ epoch_seconds('delivery_text') }} is null) as bad_delivery_text
    from packages
    where delivery_text is not null
    group by raw_id
),

extracted as (
    select
        parts.raw_id,
        parts.received_at,
        md5(parts.payload::text) as payload_md5,
        parts.api_errcode,
        parts.api_errmsg,
        parts.body ->> 'order_id' as native_id,
        parts.body ->> 'status' as native_status,
        aftersales.last_status_name,
        coalesce(aftersales.aftersale_count, 0) as aftersale_count,
        parts.aftersale_detail ->> 'on_aftersale_order_cnt' as open_aftersales_text,
        lines.open_aftersale_skus,
        lines.finished_aftersale_skus,
        parts.body ->> 'create_time' as created_text,
        nullif(parts.body -> 'order_detail' -> 'pay_info' ->> 'pay_time', '0') as paid_text,
        nullif(parts.delivery_info ->> 'ship_done_time', '0') as ship_done_text,
        deliveries.first_delivered_at,
        deliveries.bad_delivery_text,
        nullif(parts.body -> 'order_detail' -> 'ext_info' ->> 'confirm_receipt_time', '0')
            as receipt_text,
        parts.body ->> 'update_time' as modified_text,
        parts.price_info ->> 'order_price' as payment_text,
        coalesce(parts.price_info ->> 'freight', '0') as post_fee_text,
        parts.price_info ->> 'product_price' as product_price_text,
        coalesce(parts.price_info ->> 'discounted_price', '0') as discount_text,
        lines.sale_total_fen,
        lines.real_total_fen,
        lines.bad_line_field,
        parts.delivery_info -> 'address_info' ->> 'user_name' as receiver_name,
        parts.delivery_info -> 'address_info' ->> 'tel_number' as receiver_phone
    from parts
    left join lines on parts.raw_id = lines.raw_id
    left join aftersales on parts.raw_id = aftersales.raw_id
    left join deliveries on parts.raw_id = deliveries.raw_id
),

-- informational only (amounts come from the after-sale API, stg_wechat__refunds): a status an
-- after-sale entry names, otherwise the order's own after-sale counts
refund_signals as (
    select
        extracted.*,
        coalesce(
            last_status_name,
            case
                when coalesce({{ int_fen('open_aftersales_text') }}, 0) > 0
                    or coalesce(open_aftersale_skus, 0) > 0
                    then 'ON_AFTERSALE'
                when coalesce(finished_aftersale_skus, 0) > 0 then 'AFTERSALE_FINISHED'
                when aftersale_count > 0 then 'AFTERSALE_CLOSED'
                else 'NONE'
            end
        ) as native_refund_status
    from extracted
),

typed as (
    select
        refund_signals.*,
        {{ epoch_seconds('created_text') }} as created_at,
        {{ epoch_seconds('paid_text') }} as paid_at,
        {{ epoch_seconds('ship_done_text') }} as ship_done_at,
        {{ epoch_seconds('receipt_text') }} as receipt_at,
        'second'::text as time_precision,
        {{ epoch_seconds('modified_text') }} as modified_at,
        {{ int_fen('payment_text') }} as payment_fen,
        {{ int_fen('post_fee_text') }} as post_fee_fen,
        {{ int_fen('product_price_text') }} as product_price_fen,
        {{ int_fen('discount_text') }} as discount_fen
    from refund_signals
),

-- shipped when every package left (else the first package); completed when receipt was
-- confirmed (else the update time of a completed version); order_price as the lines say
derived as (
    select
        typed.*,
        coalesce(ship_done_at, first_delivered_at) as shipped_at,
        coalesce(receipt_at, case when native_status = '100' then modified_at end)
            as completed_at,
        coalesce(
            sale_total_fen + post_fee_fen - discount_fen,
            real_total_fen + post_fee_fen,
            product_price_fen + post_fee_fen - discount_fen
        ) as lines_fen
    from typed
),

{{ map_native_statuses('WX', typed='derived') }},

final as (
    select
        {{ standard_version_columns('WX') }},
        {{ first_error([
            ("api_errcode is not null", "'api error: errcode = ' || api_errcode || coalesce(' (' || api_errmsg || ')', '')"),
            ("native_id is null", "'missing field: order_id'"),
            ("native_id !~ '^[0-9]+$'", "'unparseable id: order_id = ' || native_id"),
            ("native_status is null", "'missing field: status'"),
            ("created_text is null", "'missing field: create_time'"),
            ("created_at is null", "'unparseable time: create_time = ' || created_text"),
            ("paid_text is not null and paid_at is null", "'unparseable time: pay_time = ' || paid_text"),
            ("modified_text is not null and modified_at is null", "'unparseable time: update_time = ' || modified_text"),
            ("ship_done_text is not null and ship_done_at is null", "'unparseable time: ship_done_time = ' || ship_done_text"),
            ("bad_delivery_text is not null", "'unparseable time: delivery_time = ' || bad_delivery_text"),
            ("receipt_text is not null and receipt_at is null", "'unparseable time: confirm_receipt_time = ' || receipt_text"),
            ("payment_text is null", "'missing field: order_price'"),
            ("payment_fen is null", "'unparseable amount: order_price = ' || payment_text"),
            ("post_fee_fen is null", "'unparseable amount: freight = ' || post_fee_text"),
            ("product_price_text is not null and product_price_fen is null", "'unparseable amount: product_price = ' || product_price_text"),
            ("discount_fen is null", "'unparseable amount: discounted_price = ' || discount_text"),
            ("bad_line_field is not null", "'unparseable amount: product_infos ' || bad_line_field"),
            (money_unit_mismatch('payment_fen', 'lines_fen'), money_unit_reason('order_price', 'payment_text', 'lines_fen')),
            ("state is null", "'unknown native status: ' || native_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
