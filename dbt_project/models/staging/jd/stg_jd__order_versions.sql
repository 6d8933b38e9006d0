{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'jd_orders') }}
    {{ new_or_quarantined_raw_rows() }}
),

extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        payload ->> 'orderId' as native_id,
        payload ->> 'orderState' as native_status,
        coalesce(payload ->> 'afsStatus', 'NONE') as native_refund_status,
        payload ->> 'orderStartTime' as created_text,
        -- "0001-01-01 00:00:00" is JD's "not paid" sentinel
        nullif(payload ->> 'paymentConfirmTime', '0001-01-01 00:00:00') as paid_text,
        payload ->> 'orderEndTime' as completed_text,
        payload ->> 'modified' as modified_text,
        payload ->> 'orderPayment' as payment_text,
        coalesce(payload ->> 'freightPrice', '0.00') as post_fee_text,
        coalesce(payload ->> 'refundAmount', '0.00') as refund_text,
        payload -> 'consigneeInfo' ->> 'fullname' as receiver_name,
        payload -> 'consigneeInfo' ->> 'mobile' as receiver_phone
    from source
),

typed as (
    select
        extracted.*,
        staging.try_cn_timestamptz(created_text) as created_at,
        staging.try_cn_timestamptz(paid_text) as paid_at,
        null::timestamptz as shipped_at,  -- order search carries no shipment time
        staging.try_cn_timestamptz(completed_text) as completed_at,
        staging.try_cn_timestamptz(modified_text) as modified_at,
        {{ yuan_to_fen('payment_text') }} as payment_fen,
        {{ yuan_to_fen('post_fee_text') }} as post_fee_fen,
        {{ yuan_to_fen('refund_text') }} as refund_fen,
        {{ time_precision('created_text') }} as time_precision
    from extracted
),

{{ map_native_statuses('JD') }},

final as (
    select
        {{ standard_version_columns('JD') }},
        {{ first_error([
            ("native_id is null", "'missing field: orderId'"),
            ("created_text is null", "'missing field: orderStartTime'"),
            ("created_at is null", "'unparseable time: orderStartTime = ' || created_text"),
            ("paid_text is not null and paid_at is null", "'unparseable time: paymentConfirmTime = ' || paid_text"),
            ("modified_text is not null and modified_at is null", "'unparseable time: modified = ' || modified_text"),
            ("payment_fen is null", "'unparseable amount: orderPayment = ' || coalesce(payment_text, '<missing>')"),
            ("post_fee_fen is null", "'unparseable amount: freightPrice = ' || post_fee_text"),
            ("refund_fen is null", "'unparseable amount: refundAmount = ' || refund_text"),
            ("state is null", "'unknown native status: ' || coalesce(native_status, '<missing>')"),
            ("refund_phase is null", "'unknown native refund status: ' || native_refund_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
