{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

{#- presale (step) trades: the balance is unpaid in the first two -#}
{%- set pending_balance = "'FRONT_NOPAID_FINAL_NOPAID', 'FRONT_PAID_FINAL_NOPAID'" %}
{%- set step_statuses = pending_balance ~ ", 'FRONT_PAID_FINAL_PAID'" %}
{#- the trade list of taobao.trades.sold.increment.get / taobao.trades.sold.get -#}
{%- set is_listing = "(payload ? 'trades_sold_increment_get_response'"
    ~ " or payload ? 'trades_sold_get_response')" %}
{%- set listed = "coalesce(payload #> '{trades_sold_increment_get_response,trades,trade}',"
    ~ " payload #> '{trades_sold_get_response,trades,trade}')" %}

with

source as (
    select * from {{ source('raw', 'taobao_trades') }}
    {{ new_or_quarantined_raw_rows() }}
),

refund_statuses as (
    select * from {{ ref('refund_status_map') }} where platform = 'TB'
),

-- the 聚石塔 RDS sync keeps the API response as JSON text in jdp_response
rds_responses as (
    select
        source.*,
        case jsonb_typeof(payload -> 'jdp_response')
            when 'object' then payload -> 'jdp_response'
            when 'string' then staging.try_jsonb(payload ->> 'jdp_response')
        end as jdp_response
    from source
),

-- the trade object, bare or inside the envelope of the API that returned it
unwrapped as (
    select
        raw_id,
        received_at,
        payload,
        coalesce(jsonb_typeof(payload -> 'jdp_response') = 'string' and jdp_response is null, false)
            as jdp_response_unparseable,
        case
            when payload ? 'trade_fullinfo_get_response'
                then payload -> 'trade_fullinfo_get_response' -> 'trade'
            when payload ? 'trade_get_response' then payload -> 'trade_get_response' -> 'trade'
            when jsonb_typeof(jdp_response) = 'object'
                then coalesce(
                    jdp_response -> 'trade_fullinfo_get_response' -> 'trade', jdp_response
                )
            when {{ is_listing }} and jsonb_typeof({{ listed }}) = 'array' then {{ listed }} -> 0
            when {{ is_listing }} then {{ listed }}
            else payload
        end as trade,
        case
            when {{ is_listing }} and jsonb_typeof({{ listed }}) = 'array'
                then jsonb_array_length({{ listed }})
            when {{ is_listing }} and jsonb_typeof({{ listed }}) = 'object' then 1
            when {{ is_listing }} then 0
        end as envelope_trade_count
    from rds_responses
),

extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        envelope_trade_count,
        jdp_response_unparseable,
        jsonb_typeof(trade) as trade_type,
        jsonb_typeof(trade -> 'tid') as tid_type,
        trade ->> 'tid' as tid_text,
        nullif(trade ->> 'tid_str', '') as tid_str,
        coalesce(nullif(trade ->> 'tid_str', ''), trade ->> 'tid') as native_id,
        nullif(trade ->> 'status', '') as native_status,
        nullif(trade ->> 'refund_status', '') as trade_refund_status,
        nullif(trade ->> 'step_trade_status', '') as step_status,
        coalesce(trade ->> 'type' = 'step', false)
            or nullif(trade ->> 'step_trade_status', '') is not null as is_step,
        nullif(trade ->> 'created', '') as created_text,
        nullif(trade ->> 'pay_time', '') as pay_time_text,
        nullif(trade ->> 'consign_time', '') as shipped_text,
        nullif(trade ->> 'end_time', '') as end_text,
        nullif(trade ->> 'modified', '') as modified_text,
        nullif(trade ->> 'payment', '') as payment_text,
        nullif(trade ->> 'step_paid_fee', '') as step_paid_text,
        coalesce(nullif(trade ->> 'post_fee', ''), '0.00') as post_fee_text,
        trade ->> 'receiver_name' as receiver_name,
        coalesce(
            nullif(trade ->> 'receiver_mobile', ''), nullif(trade ->> 'receiver_phone', '')
        ) as receiver_phone,
        case
            when jsonb_typeof(trade -> 'orders') in ('string', 'number', 'boolean')
                then jsonb_typeof(trade -> 'orders')
            when jsonb_typeof(trade -> 'orders' -> 'order') in ('string', 'number', 'boolean')
                then jsonb_typeof(trade -> 'orders' -> 'order')
        end as orders_scalar_type,
        case jsonb_typeof(trade -> 'orders')
            when 'array' then trade -> 'orders'
            when 'object' then
                case jsonb_typeof(trade -> 'orders' -> 'order')
                    when 'array' then trade -> 'orders' -> 'order'
                    when 'object' then jsonb_build_array(trade -> 'orders' -> 'order')
                end
        end as sub_orders
    from unwrapped
),

sub_order_lines as (
    select
        extracted.raw_id,
        {{ yuan_to_fen("sub_order.line ->> 'price'") }}
            * {{ int_fen("sub_order.line ->> 'num'") }} as gross_fen,
        coalesce(
            {{ yuan_to_fen("nullif(sub_order.line ->> 'payment', '')") }},
            {{ yuan_to_fen("nullif(sub_order.line ->> 'total_fee', '')") }},
            {{ yuan_to_fen("sub_order.line ->> 'price'") }}
            * {{ int_fen("sub_order.line ->> 'num'") }}
        ) as line_fen,
        nullif(sub_order.line ->> 'refund_status', '') as refund_status
    from extracted
    cross join lateral jsonb_array_elements(extracted.sub_orders) as sub_order (line)
),

-- the sub-order refund status that tells most: unknown first, then pending, refunded, none
sub_order_refunds as (
    select distinct on (sub_order_lines.raw_id)
        sub_order_lines.raw_id,
        sub_order_lines.refund_status
    from sub_order_lines
    left join refund_statuses
        on sub_order_lines.refund_status = refund_statuses.native_refund_status
    where sub_order_lines.refund_status is not null
    order by
        sub_order_lines.raw_id asc,
        case refund_statuses.refund_phase
            when 'pending' then 1
            when 'refund_only' then 2
            when 'refunded' then 3
            when 'none' then 4
            else 0
        end asc,
        sub_order_lines.refund_status = 'NO_REFUND' asc,
        sub_order_lines.refund_status asc
),

lines as (
    select
        raw_id,
        count(*) as line_count,
        bool_and(line_fen is not null) as lines_parse,
        sum(line_fen)::bigint as lines_fen,
        sum(gross_fen)::bigint as gross_fen
    from sub_order_lines
    group by raw_id
),

with_lines as (
    select
        extracted.*,
        coalesce(
            sub_order_refunds.refund_status, extracted.trade_refund_status, 'NO_REFUND'
        ) as native_refund_status,
        coalesce(lines.line_count, 0) as line_count,
        coalesce(lines.lines_parse, false) as lines_parse,
        lines.lines_fen,
        lines.gross_fen,
        -- a presale trade with its balance unpaid is not paid, whatever its pay time says
        coalesce(extracted.step_status in ({{ pending_balance }}), false) as balance_unpaid
    from extracted
    left join sub_order_refunds on extracted.raw_id = sub_order_refunds.raw_id
    left join lines on extracted.raw_id = lines.raw_id
),

typed as (
    select
        with_lines.*,
        staging.try_cn_timestamptz(created_text) as created_at,
        staging.try_cn_timestamptz(pay_time_text) as pay_time_at,
        case
            when not balance_unpaid then staging.try_cn_timestamptz(pay_time_text)
        end as paid_at,
        staging.try_cn_timestamptz(shipped_text) as shipped_at,
        staging.try_cn_timestamptz(end_text) as end_at,
        staging.try_cn_timestamptz(modified_text) as modified_at,
        {{ yuan_to_fen('payment_text') }} as trade_payment_fen,
        {{ yuan_to_fen('step_paid_text') }} as step_paid_fen,
        case
            when is_step and step_paid_text is not null then {{ yuan_to_fen('step_paid_text') }}
            else {{ yuan_to_fen('payment_text') }}
        end as payment_fen,
        {{ yuan_to_fen('post_fee_text') }} as post_fee_fen,
        {{ time_precision('created_text') }} as time_precision
    from with_lines
),

{{ map_native_statuses('TB') }},

-- end_time is also the close time of a closed trade: a completion time only when completed
completed as (
    select
        mapped.*,
        case when mapped.state = 'completed' then mapped.end_at end as completed_at
    from mapped
),

-- the lines' total the payment is exactly 100× or 1/100 of, if any: lines + post fee; a single
-- sub-order's payment may already hold the post fee; list prices count only for 100×
unit_checked as (
    select
        completed.*,
        case
            when line_count = 0 or not lines_parse or balance_unpaid then null
            when {{ money_unit_mismatch('payment_fen', '(lines_fen + post_fee_fen)') }}
                then lines_fen + post_fee_fen
            when line_count = 1 and {{ money_unit_mismatch('payment_fen', 'lines_fen') }}
                then lines_fen
            when payment_fen > gross_fen + post_fee_fen
                and {{ money_unit_mismatch('payment_fen', '(gross_fen + post_fee_fen)') }}
                then gross_fen + post_fee_fen
        end as unit_lines_fen
    from completed
),

final as (
    select
        {{ standard_version_columns('TB') }},
        {{ first_error([
            ("jdp_response_unparseable", "'envelope: jdp_response is not JSON'"),
            ("envelope_trade_count <> 1", "'envelope: ' || envelope_trade_count::text || ' trades in one payload, expected one'"),
            ("trade_type <> 'object'", "'changed type: the trade is a JSON ' || trade_type"),
            ("tid_type not in ('number', 'string')", "'changed type: tid is a JSON ' || tid_type"),
            ("orders_scalar_type is not null", "'changed type: orders is a JSON ' || orders_scalar_type"),
            ("native_id is null", "'missing field: tid'"),
            ("native_id !~ '^[0-9]{1,20}$'", "'unparseable id: tid = ' || native_id"),
            ("tid_text is not null and tid_str is not null and tid_text <> tid_str", "'id mismatch: tid = ' || tid_text || ', tid_str = ' || tid_str"),
            ("native_status is null", "'missing field: status'"),
            ("created_text is null", "'missing field: created'"),
            ("created_at is null", "'unparseable time: created = ' || created_text"),
            ("pay_time_text is not null and pay_time_at is null", "'unparseable time: pay_time = ' || pay_time_text"),
            ("shipped_text is not null and shipped_at is null", "'unparseable time: consign_time = ' || shipped_text"),
            ("end_text is not null and end_at is null", "'unparseable time: end_time = ' || end_text"),
            ("modified_text is not null and modified_at is null", "'unparseable time: modified = ' || modified_text"),
            ("payment_text is null", "'missing field: payment'"),
            ("trade_payment_fen is null", "'unparseable amount: payment = ' || payment_text"),
            ("step_paid_text is not null and step_paid_fen is null", "'unparseable amount: step_paid_fee = ' || step_paid_text"),
            ("post_fee_fen is null", "'unparseable amount: post_fee = ' || post_fee_text"),
            ("state is null", "'unknown native status: ' || native_status"),
            ("step_status not in (" ~ step_statuses ~ ")", "'unknown native status: step_trade_status = ' || step_status"),
            (money_unit_mismatch('payment_fen', 'unit_lines_fen'), money_unit_reason('payment', "coalesce(case when is_step then step_paid_text end, payment_text)", 'unit_lines_fen')),
        ]) }} as parse_error
    from unit_checked
)

select * from final
