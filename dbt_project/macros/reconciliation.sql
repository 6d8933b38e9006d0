{#- The 30-minute reconciliation window a time falls in. -#}
{% macro recon_window(ts) -%}
    to_timestamp(floor(extract(epoch from {{ ts }}) / 1800) * 1800)
{%- endmacro %}

{#- Truncate a time to a named precision (second, minute, day, millisecond). -#}
{% macro at_precision(ts, precision) -%}
    (case {{ precision }}
        when 'day' then date_trunc('day', {{ ts }})
        when 'minute' then date_trunc('minute', {{ ts }})
        when 'second' then date_trunc('second', {{ ts }})
        else date_trunc('milliseconds', {{ ts }})
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
