{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'u8_sales_orders') }}
    {{ new_or_quarantined_raw_rows() }}
),

status_map as (
    select * from {{ ref('status_map') }} where platform = 'U8'
),

extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        payload ->> 'csocode' as native_id,
        payload ->> 'cdefine1' as platform,
        payload ->> 'cdefine2' as native_order_id,
        payload ->> 'ccuscode' as customer_code,
        payload ->> 'state' as native_status,
        payload ->> 'ddate' as order_date_text,
        coalesce(payload ->> 'dcreatesystime', payload ->> 'ddate') as created_text,
        payload ->> 'isum' as amount_text
    from source
),

typed as (
    select
        extracted.*,
        staging.try_cn_timestamptz(created_text) as created_at,
        {{ yuan_to_fen('amount_text') }} as amount_fen,
        {{ time_precision('created_text') }} as time_precision
    from extracted
),

mapped as (
    select
        typed.*,
        status_map.state as erp_state,
        status_map.is_cancelled as erp_is_cancelled
    from typed
    left join status_map on typed.native_status = status_map.native_status
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
        native_status,
        erp_state,
        erp_is_cancelled,
        created_at,
        created_at as modified_at,
        time_precision,
        amount_fen,
        {{ first_error([
            ("native_id is null", "'missing field: csocode'"),
            ("platform is null or native_order_id is null", "'missing field: cdefine1/cdefine2 (platform order reference)'"),
            ("created_at is null", "'unparseable time: dcreatesystime = ' || coalesce(created_text, '<missing>')"),
            ("amount_fen is null", "'unparseable amount: isum = ' || coalesce(amount_text, '<missing>')"),
            ("erp_state is null", "'unknown native status: ' || coalesce(native_status, '<missing>')"),
        ]) }} as parse_error
    from mapped
)

select * from final
