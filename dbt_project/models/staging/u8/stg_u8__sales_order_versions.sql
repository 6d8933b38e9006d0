{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

{#- The platform and its order number sit in user-defined fields that differ per merchant
    (vars u8_platform_field / u8_order_ref_field, docs/payloads.md). -#}
{%- set platform_field = "'" ~ (var('u8_platform_field') | replace("'", "''")) ~ "'" %}
{%- set order_ref_field = "'" ~ (var('u8_order_ref_field') | replace("'", "''")) ~ "'" %}
{%- set decimal_text = "'^-?[0-9]+(\\.[0-9]+)?$'" %}

with

source as (
    select * from {{ source('raw', 'u8_sales_orders') }}
    {{ new_or_quarantined_raw_rows() }}
),

status_map as (
    select * from {{ ref('status_map') }} where platform = 'U8'
),

unwrapped as (
    -- a saleorder/get answer may land whole ({"errcode", "saleorder": {…}}); a saleorderlist
    -- element or the saleorder object itself is the sales order
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        payload ->> 'errcode' as errcode,
        payload ->> 'errmsg' as errmsg,
        case
            when jsonb_typeof(payload -> 'saleorderlist') = 'array'
                then jsonb_array_length(payload -> 'saleorderlist')
        end as listed_orders,
        case
            when jsonb_typeof(payload -> 'saleorder') = 'object' then payload -> 'saleorder'
            else payload
        end as sales_order
    from source
),

extracted as (
    select
        raw_id,
        received_at,
        payload_md5,
        errcode,
        errmsg,
        listed_orders,
        nullif(btrim(sales_order ->> 'code'), '') as native_id,
        jsonb_typeof(sales_order -> 'code') as code_type,
        nullif(upper(btrim(sales_order ->> {{ platform_field }})), '') as platform,
        nullif(btrim(sales_order ->> {{ order_ref_field }}), '') as native_order_id,
        nullif(btrim(sales_order ->> 'custcode'), '') as customer_code,
        nullif(btrim(sales_order ->> 'cusname'), '') as customer_name,
        nullif(btrim(sales_order ->> 'state'), '') as native_status,
        nullif(replace(btrim(sales_order ->> 'date'), 'T', ' '), '') as date_text,
        -- U8 writes an empty string for a value it does not have
        nullif(btrim(sales_order ->> 'sum'), '') as amount_text,
        jsonb_typeof(sales_order -> 'entry') as entry_type,
        case jsonb_typeof(sales_order -> 'entry')
            when 'array' then sales_order -> 'entry'
            -- a single line may come as a bare object
            when 'object' then jsonb_build_array(sales_order -> 'entry')
        end as entry_lines
    from unwrapped
),

entry_values as (
    -- each line's tax-included amount: its sum, else money + tax, else quantity × taxunitprice
    select
        extracted.raw_id,
        entry_line ->> 'sum' as sum_text,
        entry_line ->> 'money' as money_text,
        entry_line ->> 'tax' as tax_text,
        entry_line ->> 'quantity' as quantity_text,
        entry_line ->> 'taxunitprice' as taxed_price_text
    from extracted
    cross join lateral jsonb_array_elements(extracted.entry_lines) as entry_line
),

entry_numbers as (
    select
        raw_id,
        case when sum_text ~ {{ decimal_text }} then sum_text::numeric end as line_sum,
        case when money_text ~ {{ decimal_text }} then money_text::numeric end as line_money,
        case when tax_text ~ {{ decimal_text }} then tax_text::numeric end as line_tax,
        case when quantity_text ~ {{ decimal_text }} then quantity_text::numeric end
            as line_quantity,
        case when taxed_price_text ~ {{ decimal_text }} then taxed_price_text::numeric end
            as line_taxed_price
    from entry_values
),

entry_lines_fen as (
    select
        raw_id,
        round(
            coalesce(line_sum, line_money + line_tax, line_quantity * line_taxed_price) * 100
        )::bigint as line_fen
    from entry_numbers
),

entry_totals as (
    -- what the lines add up to, only when every line's amount could be read
    select
        raw_id,
        case when count(*) = count(line_fen) then sum(line_fen)::bigint end as lines_fen
    from entry_lines_fen
    group by raw_id
),

with_lines as (
    select
        extracted.*,
        entry_totals.lines_fen
    from extracted
    left join entry_totals on extracted.raw_id = entry_totals.raw_id
),

dated as (
    -- `date` is the document date, often without a time; a midnight time is a bare date
    select
        with_lines.*,
        case
            when date_text ~ '^\d{4}-\d{2}-\d{2} 00:00(:00(\.0+)?)?$' then left(date_text, 10)
            else date_text
        end as created_text
    from with_lines
),

typed as (
    select
        dated.*,
        staging.try_cn_timestamptz(created_text) as created_at,
        {{ time_precision('created_text') }} as time_precision,
        -- decimal yuan, any number of decimals as long as it is whole fen ("200.0700")
        case
            when amount_text ~ {{ decimal_text }}
                and amount_text::numeric * 100 = round(amount_text::numeric * 100)
                then round(amount_text::numeric * 100)::bigint
        end as head_amount_fen
    from dated
),

amounts as (
    -- without a head sum, the order is worth what its lines add up to
    select
        typed.*,
        case
            when amount_text is null then lines_fen else head_amount_fen
        end as amount_fen
    from typed
),

mapped as (
    select
        amounts.*,
        status_map.state as erp_state,
        status_map.is_cancelled as erp_is_cancelled
    from amounts
    left join status_map on amounts.native_status = status_map.native_status
),

final as (
    select
        raw_id,
        received_at,
        payload_md5,
        native_id,
        platform,
        native_order_id,
        customer_code,
        customer_name,
        native_status,
        erp_state,
        erp_is_cancelled,
        created_at,
        created_at as modified_at,
        time_precision,
        amount_fen,
        lines_fen,
        {{ first_error([
            ("errcode is not null and errcode <> '0'",
                "'api error: errcode = ' || errcode || coalesce(' (' || errmsg || ')', '')"),
            ("listed_orders is not null",
                "'changed type: a saleorderlist page of ' || listed_orders"
                ~ " || ' sales orders, not one sales order'"),
            ("native_id is null", "'missing field: code'"),
            ("code_type not in ('string', 'number')",
                "'changed type: code is a ' || code_type"),
            ("entry_type is not null and entry_type not in ('array', 'object', 'null')",
                "'changed type: entry is a ' || entry_type"),
            ("date_text is null", "'missing field: date'"),
            ("created_at is null", "'unparseable time: date = ' || date_text"),
            ("amount_text is null and amount_fen is null", "'missing field: sum'"),
            ("amount_fen is null", "'unparseable amount: sum = ' || amount_text"),
            (money_unit_mismatch('amount_fen', 'lines_fen'),
                money_unit_reason('sum', 'amount_text', 'lines_fen')),
            ("native_status is null", "'missing field: state'"),
            ("erp_state is null", "'unknown native status: ' || native_status"),
        ]) }} as parse_error
    from mapped
)

select * from final
