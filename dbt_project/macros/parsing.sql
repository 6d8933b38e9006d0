{#- Safe parsers shared by the staging models: they return null instead of failing the query,
    so a malformed payload is quarantined with a reason instead of breaking the build. -#}

{#- Runs on every dbt invocation (on-run-start), so a changed parser takes effect on the next
    run. Concurrent runs replacing the same function would fail with "tuple concurrently
    updated": a transaction-scoped advisory lock lets one session at a time through. -#}
{% macro create_parsing_functions() %}
do $fn$
begin
    perform pg_advisory_xact_lock(hashtext('ordersight.create_parsing_functions'));
    create schema if not exists staging;
    -- Naive strings are China time; strings with an offset keep it.
    create or replace function staging.try_cn_timestamptz(value text) returns timestamptz
    language plpgsql immutable as $body$
    begin
        if value is null or value !~ '^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?([+-]\d{2}:?\d{2})?$' then
            return null;
        end if;
        if value ~ '[+-]\d{2}:?\d{2}$' then
            return value::timestamptz;
        end if;
        return value::timestamp at time zone '{{ var("china_time_zone") }}';
    exception when others then
        return null;
    end
    $body$;
    -- JSON carried as text inside a payload (e.g. the 聚石塔 RDS sync's jdp_response).
    create or replace function staging.try_jsonb(value text) returns jsonb
    language plpgsql immutable as $body$
    begin
        return value::jsonb;
    exception when others then
        return null;
    end
    $body$;
end
$fn$;
{% endmacro %}

{#- Decimal yuan string ("200.07") to integer fen; null when it is not a plain amount. -#}
{% macro yuan_to_fen(expr) -%}
    (case when ({{ expr }}) ~ '^-?\d+(\.\d{1,2})?$' then round(({{ expr }})::numeric * 100)::bigint end)
{%- endmacro %}

{#- Integer fen given as a JSON number or digit string; null otherwise. -#}
{% macro int_fen(expr) -%}
    (case when ({{ expr }}) ~ '^-?\d+$' then ({{ expr }})::bigint end)
{%- endmacro %}

{#- Unix seconds (JSON number) to timestamptz; null otherwise. -#}
{% macro epoch_seconds(expr) -%}
    (case when ({{ expr }}) ~ '^\d{9,11}$' then to_timestamp(({{ expr }})::bigint) end)
{%- endmacro %}

{#- Precision a time string carries. -#}
{% macro time_precision(expr) -%}
    (case
        when ({{ expr }}) ~ '\.\d{3}' then 'millisecond'
        when ({{ expr }}) ~ '^\d{4}-\d{2}-\d{2}$' then 'day'
        when ({{ expr }}) ~ '^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$' then 'minute'
        else 'second'
    end)
{%- endmacro %}

{#- First non-null reason wins: the quarantine reason of a version. -#}
{% macro first_error(checks) -%}
    coalesce(
    {%- for condition, reason in checks %}
        case when {{ condition }} then {{ reason }} end{{ "," if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}

{#- The latest parseable version of each native id; identical re-deliveries collapse here. -#}
{% macro latest_valid_version(versions_model) -%}
with

versions as (
    select * from {{ ref(versions_model) }}
    where parse_error is null
),

final as (
    select distinct on (native_id) *
    from versions
    order by native_id asc, modified_at desc, raw_id desc
)

select * from final
{%- endmacro %}

{#- Incremental filter for *_versions models: parse only new raw rows, plus the ones still in
    quarantine (so a mapping fixed in a seed takes effect on the next build). -#}
{% macro new_or_quarantined_raw_rows() -%}
    {%- if is_incremental() %}
    where raw_id > (select coalesce(max(raw_id), 0) from {{ this }})
       or raw_id in (select raw_id from {{ this }} where parse_error is not null)
    {%- endif %}
{%- endmacro %}

{#- An amount that is exactly 100× (or 1/100 of) what the payload's own lines add up to was sent
    in the other unit (yuan for fen or fen for yuan, docs/domain.md §2a): a finding, never
    accepted. Both sides are in fen as parsed in the source's declared unit; no lines, no check.
    Use the pair in `first_error`: (money_unit_mismatch(...), money_unit_reason(...)). -#}
{% macro money_unit_mismatch(amount_fen, lines_fen) -%}
    (coalesce({{ lines_fen }}, 0) <> 0
        and ({{ amount_fen }} = {{ lines_fen }} * 100 or {{ amount_fen }} * 100 = {{ lines_fen }}))
{%- endmacro %}

{% macro money_unit_reason(field, amount_text, lines_fen) -%}
    'money unit: {{ field }} = ' || {{ amount_text }} || ' is 100× or 1/100 of what the lines add up to ('
        || ({{ lines_fen }})::text || ' fen)'
{%- endmacro %}
