{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'jd_refunds') }}
    {{ new_or_quarantined_raw_rows() }}
),

-- one refund apply (queryResult.result element of jingdong.pop.afs.soa.refundapply.queryPageList)
extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        payload as refund,
        payload ->> 'id' as native_id,
        payload ->> 'orderId' as native_order_id,
        null::text as native_line_id,
        payload ->> 'status' as native_refund_status,
        'refund'::text as refund_type,
        payload ->> 'applyRefundSum' as refund_text,
        nullif(payload ->> 'applyTime', '') as created_text,
        coalesce(nullif(payload ->> 'checkTime', ''), nullif(payload ->> 'applyTime', ''))
            as modified_text
    from source
),

typed as (
    select
        extracted.*,
        {{ yuan_to_fen('refund_text') }} as refund_fen,
        staging.try_cn_timestamptz(created_text) as created_at,
        staging.try_cn_timestamptz(modified_text) as modified_at
    from extracted
),

{{ map_refund_statuses('JD') }},

final as (
    select
        {{ standard_refund_columns('JD') }},
        {{ first_error([
            ("native_id is null", "'missing field: id'"),
            (changed_type("refund -> 'id'", ['number', 'string']), changed_type_reason('id', "refund -> 'id'", ['number', 'string'])),
            ("native_id !~ '^[0-9]+$'", "'unparseable id: id = ' || native_id"),
            ("native_order_id is null", "'missing field: orderId'"),
            (changed_type("refund -> 'orderId'", ['number', 'string']), changed_type_reason('orderId', "refund -> 'orderId'", ['number', 'string'])),
            ("native_order_id !~ '^[0-9]+$'", "'unparseable id: orderId = ' || native_order_id"),
            ("native_refund_status is null", "'missing field: status'"),
            (changed_type("refund -> 'status'", ['number', 'string']), changed_type_reason('status', "refund -> 'status'", ['number', 'string'])),
            ("refund_text is null", "'missing field: applyRefundSum'"),
            (changed_type("refund -> 'applyRefundSum'", ['number', 'string']), changed_type_reason('applyRefundSum', "refund -> 'applyRefundSum'", ['number', 'string'])),
            ("refund_fen is null", "'unparseable amount: applyRefundSum = ' || refund_text"),
            ("created_text is null", "'missing field: applyTime'"),
            ("created_at is null", "'unparseable time: applyTime = ' || created_text"),
            ("modified_at is null", "'unparseable time: checkTime = ' || modified_text"),
            ("refund_phase is null", "'unknown native refund status: ' || native_refund_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
