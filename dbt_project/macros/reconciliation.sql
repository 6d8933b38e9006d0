{#- The 30-minute reconciliation window a time falls in. -#}
{% macro recon_window(ts) -%}
    to_timestamp(floor(extract(epoch from {{ ts }}) / 1800) * 1800)
{%- endmacro %}

{#- Truncate a time to a named precision (second, minute, day, millisecond), in China time:
    a day is a China-time calendar day whatever the server's TimeZone. -#}
{% macro at_precision(ts, precision) -%}
    (case {{ precision }}
        when 'day' then date_trunc('day', {{ ts }}, '{{ var("china_time_zone") }}')
        when 'minute' then date_trunc('minute', {{ ts }}, '{{ var("china_time_zone") }}')
        when 'second' then date_trunc('second', {{ ts }}, '{{ var("china_time_zone") }}')
        else date_trunc('milliseconds', {{ ts }}, '{{ var("china_time_zone") }}')
    end)
{%- endmacro %}

{#- Whether a booking time falls between the payment and the payment plus the booking lag,
    both compared at `precision` (the coarser precision of the two sides). -#}
{% macro booked_within_lag(booked_at, paid_at, precision, lag) -%}
    ({{ at_precision(booked_at, precision) }}
        between {{ at_precision(paid_at, precision) }}
        and {{ at_precision('(' ~ paid_at ~ ' + ' ~ lag ~ ')', precision) }})
{%- endmacro %}

{#- Why a booking fell outside its lag: a time-zone slip when it fits once moved 8 hours either
    way (never claimed at day precision, where an 8-hour slip cannot show), else 'time_differs'. -#}
{% macro time_mismatch_reason(booked_at, paid_at, precision, lag) -%}
    (case
        when {{ precision }} <> 'day'
            and ({{ booked_within_lag('(' ~ booked_at ~ " + interval '" ~ var('china_utc_offset') ~ "')", paid_at, precision, lag) }}
                or {{ booked_within_lag('(' ~ booked_at ~ " - interval '" ~ var('china_utc_offset') ~ "')", paid_at, precision, lag) }})
            then 'timezone_drift'
        else 'time_differs'
    end)
{%- endmacro %}

{#- The coarser of two precisions. -#}
{% macro coarser_precision(a, b) -%}
    (case
        when 'day' in ({{ a }}, {{ b }}) then 'day'
        when 'minute' in ({{ a }}, {{ b }}) then 'minute'
        when 'second' in ({{ a }}, {{ b }}) then 'second'
        else 'millisecond'
    end)
{%- endmacro %}

{#- Yuan text of an amount in fen, for human-readable diff details. -#}
{% macro fen_text(fen) -%}
    (({{ fen }}) / 100)::text || '.' || lpad((abs({{ fen }}) % 100)::text, 2, '0')
{%- endmacro %}
