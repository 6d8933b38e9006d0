{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'pdd_refunds') }}
    {{ new_or_quarantined_raw_rows() }}
),

-- one after-sale (refund_increment_get_response.refund_list element)
extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        payload as refund,
        payload ->> 'id' as native_id,
        nullif(payload ->> 'order_sn', '') as native_order_id,
        payload ->> 'sku_id' as native_line_id,
        payload ->> 'after_sales_status' as native_refund_status,
        payload ->> 'after_sales_type' as after_sales_type,
        payload ->> 'refund_amount' as refund_text,
        payload ->> 'order_amount' as order_amount_text,
        nullif(payload ->> 'created_time', '') as created_text,
        nullif(payload ->> 'updated_time', '') as modified_text
    from source
),

typed as (
    select
        extracted.*,
        case after_sales_type
            when '2' then 'refund_only'
            when '3' then 'return'
            when '4' then 'exchange'
            when '5' then 'resend'
            when '6' then 'repair'
        end as refund_type,
        {{ yuan_to_fen('refund_text') }} as refund_fen,
        {{ yuan_to_fen('order_amount_text') }} as order_amount_fen,
        staging.try_cn_timestamptz(created_text) as created_at,
        staging.try_cn_timestamptz(modified_text) as modified_at
    from extracted
),

{# A successful refund-only after-sale (type 2) is refund_only (仅退款: money back, goods kept);
    exchanges, resends and repairs move no money. -#}
{{ map_refund_statuses('PDD', phase="case
            when typed.refund_type in ('exchange', 'resend', 'repair') then 'none'
            when refund_map.refund_phase = 'refunded' and typed.refund_type = 'refund_only'
                then 'refund_only'
            else refund_map.refund_phase
        end") }},

final as (
    select
        {{ standard_refund_columns('PDD') }},
        {{ first_error([
            ("native_id is null", "'missing field: id'"),
            (changed_type("refund -> 'id'", ['number', 'string']), changed_type_reason('id', "refund -> 'id'", ['number', 'string'])),
            ("native_id !~ '^[0-9]+$'", "'unparseable id: id = ' || native_id"),
            ("native_order_id is null", "'missing field: order_sn'"),
            (changed_type("refund -> 'order_sn'", ['string']), changed_type_reason('order_sn', "refund -> 'order_sn'", ['string'])),
            ("native_refund_status is null", "'missing field: after_sales_status'"),
            (changed_type("refund -> 'after_sales_status'", ['number']), changed_type_reason('after_sales_status', "refund -> 'after_sales_status'", ['number'])),
            ("after_sales_type is null", "'missing field: after_sales_type'"),
            (changed_type("refund -> 'after_sales_type'", ['number']), changed_type_reason('after_sales_type', "refund -> 'after_sales_type'", ['number'])),
            ("refund_type is null", "'unknown refund type: after_sales_type = ' || after_sales_type"),
            ("refund_text is null", "'missing field: refund_amount'"),
            (changed_type("refund -> 'refund_amount'", ['string', 'number']), changed_type_reason('refund_amount', "refund -> 'refund_amount'", ['string', 'number'])),
            ("refund_fen is null", "'unparseable amount: refund_amount = ' || refund_text"),
            ("modified_text is null", "'missing field: updated_time'"),
            ("modified_at is null", "'unparseable time: updated_time = ' || modified_text"),
            ("created_text is not null and created_at is null", "'unparseable time: created_time = ' || created_text"),
            (refund_unit_mismatch('refund_fen', 'order_amount_fen'), refund_unit_reason('refund_amount', 'refund_text', 'order_amount', 'order_amount_text')),
            ("refund_phase is null", "'unknown native refund status: ' || native_refund_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
