{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'pdd_orders') }}
    {{ new_or_quarantined_raw_rows() }}
),

items as (
    select
        source.raw_id,
        item_list.item ->> 'goods_price' as price_text,
        item_list.item ->> 'goods_count' as count_text,
        {{ yuan_to_fen("item_list.item ->> 'goods_price'") }} as price_fen,
        (case
            when item_list.item ->> 'goods_count' ~ '^\d+$'
                then (item_list.item ->> 'goods_count')::bigint
        end) as goods_count
    from source
    cross join lateral jsonb_array_elements(
        case
            when jsonb_typeof(source.payload -> 'item_list') = 'array'
                then source.payload -> 'item_list'
            else '[]'::jsonb
        end
    ) as item_list (item)
),

lines as (
    select
        raw_id,
        sum(price_fen * goods_count)::bigint as goods_fen,
        bool_and(price_fen is not null and goods_count is not null) as lines_parsed,
        min(coalesce(price_text, '<missing>')) filter (where price_fen is null) as bad_price_text,
        min(coalesce(count_text, '<missing>')) filter (where goods_count is null)
            as bad_count_text
    from items
    group by raw_id
),

extracted as (
    select
        source.raw_id,
        source.received_at,
        md5(source.payload::text) as payload_md5,
        source.payload ->> 'order_sn' as native_id,
        source.payload ->> 'order_status' as order_status,
        source.payload ->> 'confirm_status' as confirm_status,
        source.payload ->> 'refund_status' as refund_status,
        source.payload ->> 'after_sales_status' as after_sales_status,
        coalesce(source.payload ->> 'risk_control_status', '0') = '1' as is_risk_held,
        source.payload ->> 'created_time' as created_text,
        nullif(source.payload ->> 'pay_time', '') as pay_text,
        nullif(source.payload ->> 'confirm_time', '') as confirm_text,
        nullif(source.payload ->> 'shipping_time', '') as shipped_text,
        nullif(source.payload ->> 'receive_time', '') as completed_text,
        nullif(source.payload ->> 'updated_at', '') as modified_text,
        source.payload ->> 'pay_amount' as payment_text,
        coalesce(source.payload ->> 'postage', '0') as post_fee_text,
        source.payload ->> 'discount_amount' as discount_text,
        {{ yuan_to_fen("source.payload ->> 'discount_amount'") }} as discount_fen,
        coalesce({{ yuan_to_fen("source.payload ->> 'platform_discount'") }}, 0)
            + coalesce({{ yuan_to_fen("source.payload ->> 'seller_discount'") }}, 0)
            + coalesce({{ yuan_to_fen("source.payload ->> 'capital_free_discount'") }}, 0)
            as discount_parts_fen,
        coalesce({{ yuan_to_fen("source.payload ->> 'order_change_amount'") }}, 0) as change_fen,
        lines.goods_fen,
        coalesce(lines.lines_parsed, false) as lines_parsed,
        lines.bad_price_text,
        lines.bad_count_text,
        coalesce(
            nullif(source.payload ->> 'receiver_name', ''),
            nullif(source.payload ->> 'receiver_name_mask', '')
        ) as receiver_name,
        coalesce(
            nullif(source.payload ->> 'receiver_phone', ''),
            nullif(source.payload ->> 'receiver_phone_mask', '')
        ) as receiver_phone
    from source
    left join lines on source.raw_id = lines.raw_id
),

{# confirm_status is absent from older responses: a confirm_time means the deal was
    concluded, none means it was not (unpaid, or paid with the group not formed yet). The
    order's after_sales_status (else refund_status) is kept as an informational signal; refunds
    and their amounts come from pdd.refund.list.increment.get (stg_pdd__refunds). -#}
coded as (
    select
        extracted.*,
        order_status || '/' || coalesce(
            confirm_status, case when confirm_text is not null then '1' else '0' end
        ) as native_status,
        coalesce(after_sales_status, refund_status) as native_refund_status
    from extracted
),

typed as (
    select
        coded.*,
        staging.try_cn_timestamptz(created_text) as created_at,
        staging.try_cn_timestamptz(pay_text) as pay_at,
        staging.try_cn_timestamptz(confirm_text) as confirm_at,
        coalesce(
            staging.try_cn_timestamptz(pay_text), staging.try_cn_timestamptz(confirm_text)
        ) as paid_at,
        staging.try_cn_timestamptz(shipped_text) as shipped_at,
        staging.try_cn_timestamptz(completed_text) as completed_at,
        staging.try_cn_timestamptz(modified_text) as modified_at,
        {{ yuan_to_fen('payment_text') }} as payment_fen,
        {{ yuan_to_fen('post_fee_text') }} as post_fee_fen,
        {{ time_precision('created_text') }} as time_precision
    from coded
),

{# What the order's own lines add up to, in fen: goods price × count, less the price change
    and the discounts (discount_amount, else its parts), plus postage. -#}
checked as (
    select
        typed.*,
        case
            when lines_parsed
                then goods_fen - change_fen - coalesce(discount_fen, discount_parts_fen)
                + coalesce(post_fee_fen, 0)
        end as lines_fen
    from typed
),

{{ map_native_statuses('PDD', typed='checked', extra_hold='checked.is_risk_held') }},

final as (
    select
        {{ standard_version_columns('PDD') }},
        {{ first_error([
            ("native_id is null", "'missing field: order_sn'"),
            ("order_status is null", "'missing field: order_status'"),
            ("created_text is null", "'missing field: created_time'"),
            ("payment_text is null", "'missing field: pay_amount'"),
            ("created_at is null", "'unparseable time: created_time = ' || created_text"),
            ("pay_text is not null and pay_at is null", "'unparseable time: pay_time = ' || pay_text"),
            ("confirm_text is not null and confirm_at is null", "'unparseable time: confirm_time = ' || confirm_text"),
            ("shipped_text is not null and shipped_at is null", "'unparseable time: shipping_time = ' || shipped_text"),
            ("completed_text is not null and completed_at is null", "'unparseable time: receive_time = ' || completed_text"),
            ("modified_text is not null and modified_at is null", "'unparseable time: updated_at = ' || modified_text"),
            ("payment_fen is null", "'unparseable amount: pay_amount = ' || payment_text"),
            ("post_fee_fen is null", "'unparseable amount: postage = ' || post_fee_text"),
            ("discount_text is not null and discount_fen is null", "'unparseable amount: discount_amount = ' || discount_text"),
            ("bad_price_text is not null", "'unparseable amount: item_list goods_price = ' || bad_price_text"),
            ("bad_count_text is not null", "'unparseable amount: item_list goods_count = ' || bad_count_text"),
            (money_unit_mismatch('payment_fen', 'lines_fen'), money_unit_reason('pay_amount', 'payment_text', 'lines_fen')),
            ("state is null", "'unknown native status: ' || native_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
