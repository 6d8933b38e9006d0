{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'pdd_orders') }}
    {{ new_or_quarantined_raw_rows() }}
),

extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        payload ->> 'order_sn' as native_id,
        (payload ->> 'order_status') || '/' || (payload ->> 'confirm_status') as native_status,
        coalesce(payload ->> 'refund_status', '1')
            || '/' || coalesce(payload ->> 'after_sales_type', '0') as native_refund_status,
        coalesce(payload ->> 'risk_control_status', '0') = '1' as is_risk_held,
        payload ->> 'created_time' as created_text,
        nullif(payload ->> 'confirm_time', '') as paid_text,
        nullif(payload ->> 'shipping_time', '') as shipped_text,
        nullif(payload ->> 'receive_time', '') as completed_text,
        payload ->> 'updated_at' as modified_text,
        payload ->> 'pay_amount' as payment_text,
        coalesce(payload ->> 'postage', '0.00') as post_fee_text,
        coalesce(payload ->> 'refund_amount', '0.00') as refund_text,
        payload ->> 'receiver_name' as receiver_name,
        payload ->> 'receiver_phone' as receiver_phone
    from source
),

typed as (
    select
        extracted.*,
        staging.try_cn_timestamptz(created_text) as created_at,
        staging.try_cn_timestamptz(paid_text) as paid_at,
        staging.try_cn_timestamptz(shipped_text) as shipped_at,
        staging.try_cn_timestamptz(completed_text) as completed_at,
        staging.try_cn_timestamptz(modified_text) as modified_at,
        {{ yuan_to_fen('payment_text') }} as payment_fen,
        {{ yuan_to_fen('post_fee_text') }} as post_fee_fen,
        {{ yuan_to_fen('refund_text') }} as refund_fen,
        {{ time_precision('created_text') }} as time_precision
    from extracted
),

{{ map_native_statuses('PDD', extra_hold='typed.is_risk_held') }},

final as (
    select
        {{ standard_version_columns('PDD') }},
        {{ first_error([
            ("native_id is null", "'missing field: order_sn'"),
            ("created_text is null", "'missing field: created_time'"),
            ("created_at is null", "'unparseable time: created_time = ' || created_text"),
            ("paid_text is not null and paid_at is null", "'unparseable time: confirm_time = ' || paid_text"),
            ("modified_text is not null and modified_at is null", "'unparseable time: updated_at = ' || modified_text"),
            ("payment_fen is null", "'unparseable amount: pay_amount = ' || coalesce(payment_text, '<missing>')"),
            ("post_fee_fen is null", "'unparseable amount: postage = ' || post_fee_text"),
            ("refund_fen is null", "'unparseable amount: refund_amount = ' || refund_text"),
            ("state is null", "'unknown native status: ' || coalesce(native_status, '<missing>')"),
            ("refund_phase is null", "'unknown native refund status: ' || native_refund_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
