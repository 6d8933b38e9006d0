{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'jd_orders') }}
    {{ new_or_quarantined_raw_rows() }}
),

-- Only the fields asked for in optional_fields come back: an absent field is not a fault unless
-- the version cannot be understood without it.
extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        payload ->> 'orderId' as native_id,
        jsonb_typeof(payload -> 'orderId') as native_id_type,
        payload ->> 'orderState' as native_status,
        null::text as native_refund_status,
        payload ->> 'orderStartTime' as created_text,
        payload ? 'paymentConfirmTime' as has_paid_text,
        -- "0001-01-01 00:00:00" is JD's "not paid" sentinel
        case
            when payload ->> 'paymentConfirmTime' !~ '^(0001-01-01|\s*$)'
                then payload ->> 'paymentConfirmTime'
        end as paid_text,
        case
            when payload ->> 'orderEndTime' !~ '^(0001-01-01|\s*$)' then payload ->> 'orderEndTime'
        end as completed_text,
        payload ->> 'modified' as modified_text,
        case jsonb_typeof(payload -> 'orderExt')
            when 'object' then payload -> 'orderExt' ->> 'modified'
            when 'string' then substring(payload ->> 'orderExt' from '"modified"\s*:\s*"?([^",}]*)')
        end as ext_modified_text,
        payload ->> 'orderPayment' as payment_text,
        jsonb_typeof(payload -> 'orderPayment') as payment_type,
        coalesce(payload ->> 'freightPrice', '0.00') as post_fee_text,
        coalesce(payload ->> 'sellerDiscount', '0.00') as seller_discount_text,
        payload -> 'consigneeInfo' ->> 'fullname' as receiver_name,
        payload -> 'consigneeInfo' ->> 'mobile' as receiver_phone
    from source
),

line_items as (
    select
        source.raw_id,
        item ->> 'jdPrice' as price_text,
        item ->> 'itemTotal' as quantity_text
    from source
    cross join lateral jsonb_array_elements(
        case
            when jsonb_typeof(source.payload -> 'itemInfoList') = 'array'
                then source.payload -> 'itemInfoList'
            else '[]'::jsonb
        end
    ) as item
),

-- jdPrice is the unit price: lines add up to jdPrice × itemTotal; null when a line is unreadable
lines as (
    select
        raw_id,
        case
            when bool_and({{ yuan_to_fen('price_text') }} is not null and quantity_text ~ '^\d+$')
                then sum({{ yuan_to_fen('price_text') }} * quantity_text::bigint)::bigint
        end as lines_fen
    from line_items
    group by raw_id
),

typed as (
    select
        extracted.*,
        staging.try_cn_timestamptz(extracted.created_text) as created_at,
        staging.try_cn_timestamptz(extracted.paid_text) as paid_at,
        null::timestamptz as shipped_at,  -- order search carries no shipment time
        staging.try_cn_timestamptz(extracted.completed_text) as completed_at,
        coalesce(
            case
                when extracted.ext_modified_text ~ '^\d{13}$'
                    then timestamptz 'epoch'
                    + extracted.ext_modified_text::bigint * interval '1 millisecond'
            end,
            staging.try_cn_timestamptz(extracted.ext_modified_text),
            staging.try_cn_timestamptz(extracted.modified_text)
        ) as modified_at,
        {{ yuan_to_fen('extracted.payment_text') }} as payment_fen,
        {{ yuan_to_fen('extracted.post_fee_text') }} as post_fee_fen,
        {{ yuan_to_fen('extracted.seller_discount_text') }} as seller_discount_fen,
        lines.lines_fen,
        {{ time_precision('extracted.created_text') }} as time_precision
    from extracted
    left join lines on extracted.raw_id = lines.raw_id
),

-- What the buyer pays per the lines: goods + freight − the seller's discount
expected as (
    select
        typed.*,
        typed.lines_fen + typed.post_fee_fen - typed.seller_discount_fen as expected_payment_fen
    from typed
),

{{ map_native_statuses('JD', typed='expected') }},

-- Without paymentConfirmTime a status mapped to paid cannot be told from unpaid cash on delivery
payment_needed as (
    select
        mapped.*,
        coalesce(status_map.state = 'paid', false) as status_needs_payment_time
    from mapped
    left join status_map on mapped.native_status = status_map.native_status
),

final as (
    select
        {{ standard_version_columns('JD') }},
        {{ first_error([
            ("native_id is null", "'missing field: orderId'"),
            ("native_id_type <> 'string' and native_id_type <> 'number'",
                "'changed type: orderId is ' || native_id_type"),
            ("native_id !~ '^[0-9]+$'", "'changed type: orderId = ' || native_id || ' is not a number of digits'"),
            ("native_status is null", "'missing field: orderState'"),
            ("created_text is null", "'missing field: orderStartTime'"),
            ("created_at is null", "'unparseable time: orderStartTime = ' || created_text"),
            ("paid_text is not null and paid_at is null", "'unparseable time: paymentConfirmTime = ' || paid_text"),
            ("ext_modified_text is not null and modified_at is null",
                "'unparseable time: orderExt.modified = ' || ext_modified_text"),
            ("modified_text is not null and modified_at is null", "'unparseable time: modified = ' || modified_text"),
            ("payment_text is null", "'missing field: orderPayment'"),
            ("payment_type <> 'string' and payment_type <> 'number'",
                "'changed type: orderPayment is ' || payment_type"),
            ("payment_fen is null", "'unparseable amount: orderPayment = ' || payment_text"),
            ("post_fee_fen is null", "'unparseable amount: freightPrice = ' || post_fee_text"),
            (money_unit_mismatch('payment_fen', 'expected_payment_fen'),
                money_unit_reason('orderPayment', 'payment_text', 'expected_payment_fen')),
            ("state is null", "'unknown native status: ' || native_status"),
            ("status_needs_payment_time and not has_paid_text", "'missing field: paymentConfirmTime'"),
        ]) }} as parse_error
    from payment_needed
)

select * from final
