{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'taobao_trades') }}
    {{ new_or_quarantined_raw_rows() }}
),

extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        payload ->> 'tid' as native_id,
        payload ->> 'status' as native_status,
        coalesce(payload ->> 'refund_status', 'NO_REFUND') as native_refund_status,
        payload ->> 'created' as created_text,
        payload ->> 'pay_time' as paid_text,
        payload ->> 'consign_time' as shipped_text,
        payload ->> 'end_time' as completed_text,
        payload ->> 'modified' as modified_text,
        payload ->> 'payment' as payment_text,
        coalesce(payload ->> 'post_fee', '0.00') as post_fee_text,
        coalesce(payload ->> 'refund_fee', '0.00') as refund_text,
        payload ->> 'receiver_name' as receiver_name,
        payload ->> 'receiver_mobile' as receiver_phone
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

{{ map_native_statuses('TB') }},

final as (
    select
        {{ standard_version_columns('TB') }},
        {{ first_error([
            ("native_id is null", "'missing field: tid'"),
            ("created_text is null", "'missing field: created'"),
            ("created_at is null", "'unparseable time: created = ' || created_text"),
            ("paid_text is not null and paid_at is null", "'unparseable time: pay_time = ' || paid_text"),
            ("modified_text is not null and modified_at is null", "'unparseable time: modified = ' || modified_text"),
            ("payment_fen is null", "'unparseable amount: payment = ' || coalesce(payment_text, '<missing>')"),
            ("post_fee_fen is null", "'unparseable amount: post_fee = ' || post_fee_text"),
            ("refund_fen is null", "'unparseable amount: refund_fee = ' || refund_text"),
            ("state is null", "'unknown native status: ' || coalesce(native_status, '<missing>')"),
            ("refund_phase is null", "'unknown native refund status: ' || native_refund_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
