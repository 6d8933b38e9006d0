{{ config(materialized='incremental', unique_key='raw_id', on_schema_change='fail') }}

with

source as (
    select * from {{ source('raw', 'ledger_entries') }}
    {{ new_or_quarantined_raw_rows() }}
),

extracted as (
    select
        raw_id,
        received_at,
        md5(payload::text) as payload_md5,
        payload ->> 'entry_id' as native_id,
        payload ->> 'entry_type' as entry_type,
        payload ->> 'channel' as channel,
        payload ->> 'platform' as platform,
        payload ->> 'order_no' as native_order_id,
        payload ->> 'amount' as amount_text,
        jsonb_typeof(payload -> 'booked_at') as booked_at_type,
        payload ->> 'booked_at' as booked_text,
        payload ->> 'voucher_no' as voucher_no
    from source
),

typed as (
    select
        extracted.*,
        case
            -- some exports carry epoch milliseconds instead of a China-time string
            when booked_at_type = 'number' and booked_text ~ '^\d{12,14}$'
                then to_timestamp(booked_text::bigint / 1000.0)
            else staging.try_cn_timestamptz(booked_text)
        end as booked_at,
        case
            when booked_at_type = 'number' then 'millisecond'
            else {{ time_precision('booked_text') }}
        end as time_precision,
        {{ yuan_to_fen('amount_text') }} as amount_fen
    from extracted
),

final as (
    select
        raw_id,
        received_at,
        payload_md5,
        native_id,
        entry_type,
        channel,
        platform,
        native_order_id,
        amount_fen,
        booked_at,
        booked_at as modified_at,
        time_precision,
        voucher_no,
        {{ first_error([
            ("native_id is null", "'missing field: entry_id'"),
            ("platform is null or native_order_id is null", "'missing field: platform/order_no'"),
            ("entry_type is null or entry_type not in ('settlement', 'refund')", "'unknown entry type: ' || coalesce(entry_type, '<missing>')"),
            ("booked_at is null", "'unparseable time: booked_at = ' || coalesce(booked_text, '<missing>')"),
            ("amount_fen is null", "'unparseable amount: amount = ' || coalesce(amount_text, '<missing>')"),
        ]) }} as parse_error
    from typed
)

select * from final
