{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'taobao_refunds') }}
    {{ new_or_quarantined_raw_rows() }}
),

-- the refund object, bare (one refunds.refund element) or inside taobao.refund.get's envelope
unwrapped as (
    select
        raw_id,
        received_at,
        payload,
        coalesce(payload #> '{refund_get_response,refund}', payload) as refund
    from source
),

extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        refund,
        refund ->> 'refund_id' as native_id,
        refund ->> 'tid' as native_order_id,
        refund ->> 'oid' as native_line_id,
        refund ->> 'status' as native_refund_status,
        case when refund ->> 'has_good_return' = 'true' then 'return' else 'refund' end
            as refund_type,
        refund ->> 'refund_fee' as refund_text,
        refund ->> 'payment' as order_payment_text,
        nullif(refund ->> 'created', '') as created_text,
        nullif(refund ->> 'modified', '') as modified_text
    from unwrapped
),

typed as (
    select
        extracted.*,
        {{ yuan_to_fen('refund_text') }} as refund_fen,
        {{ yuan_to_fen('order_payment_text') }} as order_payment_fen,
        staging.try_cn_timestamptz(created_text) as created_at,
        staging.try_cn_timestamptz(modified_text) as modified_at
    from extracted
),

{{ map_refund_statuses('TB') }},

final as (
    select
        {{ standard_refund_columns('TB') }},
        {{ first_error([
            ("native_id is null", "'missing field: refund_id'"),
            (changed_type("refund -> 'refund_id'", ['number', 'string']), changed_type_reason('refund_id', "refund -> 'refund_id'", ['number', 'string'])),
            ("native_id !~ '^[0-9]+$'", "'unparseable id: refund_id = ' || native_id"),
            ("native_order_id is null", "'missing field: tid'"),
            (changed_type("refund -> 'tid'", ['number', 'string']), changed_type_reason('tid', "refund -> 'tid'", ['number', 'string'])),
            ("native_order_id !~ '^[0-9]+$'", "'unparseable id: tid = ' || native_order_id"),
            ("native_refund_status is null", "'missing field: status'"),
            ("refund_text is null", "'missing field: refund_fee'"),
            (changed_type("refund -> 'refund_fee'", ['string']), changed_type_reason('refund_fee', "refund -> 'refund_fee'", ['string'])),
            ("refund_fen is null", "'unparseable amount: refund_fee = ' || refund_text"),
            ("created_text is null", "'missing field: created'"),
            ("created_at is null", "'unparseable time: created = ' || created_text"),
            ("modified_text is not null and modified_at is null", "'unparseable time: modified = ' || modified_text"),
            (refund_unit_mismatch('refund_fen', 'order_payment_fen'), refund_unit_reason('refund_fee', 'refund_text', 'payment', 'order_payment_text')),
            ("refund_phase is null", "'unknown native refund status: ' || native_refund_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
