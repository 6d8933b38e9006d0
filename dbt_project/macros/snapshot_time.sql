{#- Snapshot validity times as timestamptz (UTC instants), not the session's local wall time. -#}
{% macro postgres__snapshot_get_time() -%}
    now()
{%- endmacro %}
