{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'wechat_refunds') }}
    {{ new_or_quarantined_raw_rows() }}
),

-- the after_sale_order of channels/ec/aftersale/getaftersaleorder, bare or in its envelope
unwrapped as (
    select
        raw_id,
        received_at,
        payload,
        coalesce(payload -> 'after_sale_order', payload) as refund
    from source
),

extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        refund,
        refund ->> 'after_sale_order_id' as native_id,
        refund ->> 'order_id' as native_order_id,
        refund -> 'product_info' ->> 'sku_id' as native_line_id,
        refund ->> 'status' as native_refund_status,
        refund ->> 'type' as type_text,
        refund -> 'refund_info' ->> 'amount' as refund_text,
        refund ->> 'create_time' as created_text,
        refund ->> 'update_time' as modified_text
    from unwrapped
),

typed as (
    select
        extracted.*,
        case type_text when 'REFUND' then 'refund' when 'RETURN' then 'return' end
            as refund_type,
        {{ int_fen('refund_text') }} as refund_fen,
        {{ epoch_seconds('created_text') }} as created_at,
        {{ epoch_seconds('modified_text') }} as modified_at
    from extracted
),

{{ map_refund_statuses('WX') }},

final as (
    select
        {{ standard_refund_columns('WX') }},
        {{ first_error([
            ("native_id is null", "'missing field: after_sale_order_id'"),
            (changed_type("refund -> 'after_sale_order_id'", ['string', 'number']), changed_type_reason('after_sale_order_id', "refund -> 'after_sale_order_id'", ['string', 'number'])),
            ("native_id !~ '^[0-9]+$'", "'unparseable id: after_sale_order_id = ' || native_id"),
            ("native_order_id is null", "'missing field: order_id'"),
            (changed_type("refund -> 'order_id'", ['string', 'number']), changed_type_reason('order_id', "refund -> 'order_id'", ['string', 'number'])),
            ("native_order_id !~ '^[0-9]+$'", "'unparseable id: order_id = ' || native_order_id"),
            ("native_refund_status is null", "'missing field: status'"),
            (changed_type("refund -> 'status'", ['string']), changed_type_reason('status', "refund -> 'status'", ['string'])),
            ("type_text is null", "'missing field: type'"),
            ("refund_type is null", "'unknown refund type: type = ' || type_text"),
            ("refund_text is null", "'missing field: refund_info.amount'"),
            (changed_type("refund -> 'refund_info' -> 'amount'", ['number']), changed_type_reason('refund_info.amount', "refund -> 'refund_info' -> 'amount'", ['number'])),
            ("refund_fen is null", "'unparseable amount: refund_info.amount = ' || refund_text"),
            ("created_text is null", "'missing field: create_time'"),
            ("created_at is null", "'unparseable time: create_time = ' || created_text"),
            ("modified_text is not null and modified_at is null", "'unparseable time: update_time = ' || modified_text"),
            ("refund_phase is null", "'unknown native refund status: ' || native_refund_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
