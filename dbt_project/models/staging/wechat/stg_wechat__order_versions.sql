{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'wechat_orders') }}
    {{ new_or_quarantined_raw_rows() }}
),

aftersales as (
    select
        source.raw_id,
        (sum(({{ int_fen("aftersale_list.aftersale ->> 'refund_amount'") }}))
            filter (where aftersale_list.aftersale ->> 'status' = 'MERCHANT_REFUND_SUCCESS')
        )::bigint as refund_fen,
        bool_or(({{ int_fen("aftersale_list.aftersale ->> 'refund_amount'") }}) is null)
            as has_bad_refund_amount,
        (array_agg(
            aftersale_list.aftersale ->> 'status' order by aftersale_list.ordinality desc
        ))[1] as last_status
    from source
    cross join lateral jsonb_array_elements(
        case
            when jsonb_typeof(source.payload -> 'aftersale_detail' -> 'aftersale_order_list')
                = 'array'
                then source.payload -> 'aftersale_detail' -> 'aftersale_order_list'
            else '[]'::jsonb
        end
    ) with ordinality as aftersale_list (aftersale, ordinality)
    group by source.raw_id
),

extracted as (
    select
        source.raw_id,
        source.received_at,
        md5(source.payload::text) as payload_md5,
        source.payload ->> 'order_id' as native_id,
        source.payload ->> 'status' as native_status,
        coalesce(aftersales.last_status, 'NONE') as native_refund_status,
        source.payload ->> 'create_time' as created_text,
        source.payload -> 'order_detail' -> 'pay_info' ->> 'pay_time' as paid_text,
        source.payload -> 'order_detail' -> 'delivery_info' -> 'delivery_product_info' -> 0
            ->> 'delivery_time' as shipped_text,
        source.payload ->> 'update_time' as modified_text,
        source.payload -> 'order_detail' -> 'price_info' ->> 'order_price' as payment_text,
        coalesce(source.payload -> 'order_detail' -> 'price_info' ->> 'freight', '0')
            as post_fee_text,
        coalesce(aftersales.refund_fen, 0) as refund_fen,
        coalesce(aftersales.has_bad_refund_amount, false) as has_bad_refund_amount,
        source.payload -> 'order_detail' -> 'delivery_info' -> 'address_info' ->> 'user_name'
            as receiver_name,
        source.payload -> 'order_detail' -> 'delivery_info' -> 'address_info' ->> 'tel_number'
            as receiver_phone
    from source
    left join aftersales on source.raw_id = aftersales.raw_id
),

typed as (
    select
        extracted.*,
        {{ epoch_seconds('created_text') }} as created_at,
        {{ epoch_seconds('paid_text') }} as paid_at,
        {{ epoch_seconds('shipped_text') }} as shipped_at,
        case when native_status = '100' then {{ epoch_seconds('modified_text') }} end
            as completed_at,
        'second'::text as time_precision,
        {{ epoch_seconds('modified_text') }} as modified_at,
        {{ int_fen('payment_text') }} as payment_fen,
        {{ int_fen('post_fee_text') }} as post_fee_fen
    from extracted
),

{{ map_native_statuses('WX') }},

final as (
    select
        {{ standard_version_columns('WX') }},
        {{ first_error([
            ("native_id is null", "'missing field: order_id'"),
            ("created_text is null", "'missing field: create_time'"),
            ("created_at is null", "'unparseable time: create_time = ' || created_text"),
            ("paid_text is not null and paid_at is null", "'unparseable time: pay_time = ' || paid_text"),
            ("modified_text is not null and modified_at is null", "'unparseable time: update_time = ' || modified_text"),
            ("payment_fen is null", "'unparseable amount: order_price = ' || coalesce(payment_text, '<missing>')"),
            ("post_fee_fen is null", "'unparseable amount: freight = ' || post_fee_text"),
            ("has_bad_refund_amount", "'unparseable amount: aftersale refund_amount'"),
            ("state is null", "'unknown native status: ' || coalesce(native_status, '<missing>')"),
            ("refund_phase is null", "'unknown native refund status: ' || native_refund_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
