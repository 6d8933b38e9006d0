with

platform_versions as (
    {{ union_platform_versions(where='parse_error is null') }}
),

order_keys as (
    select * from {{ source('keys', 'order_keys') }}
),

distinct_versions as (
    -- the same payload delivered twice is one version
    select distinct on (platform, native_id, payload_md5)
        platform,
        native_id,
        payload_md5,
        raw_id,
        modified_at,
        {{ state_rank('state') }} as version_rank
    from platform_versions
    order by platform, native_id, payload_md5, raw_id
),

running as (
    select
        distinct_versions.*,
        max(version_rank) over (
            partition by platform, native_id
            order by modified_at, raw_id
            rows between unbounded preceding and current row
        ) as reached_rank
    from distinct_versions
),

with_previous as (
    select
        running.*,
        lag(reached_rank) over (
            partition by platform, native_id order by modified_at, raw_id
        ) as previous_rank
    from running
),

transitions as (
    select *
    from with_previous
    where previous_rank is null or reached_rank > previous_rank
),

final as (
    select
        order_keys.unified_key,
        transitions.platform,
        transitions.native_id as native_order_id,
        {{ state_from_rank('transitions.previous_rank') }} as from_state,
        {{ state_from_rank('transitions.reached_rank') }} as to_state,
        transitions.modified_at as transitioned_at,
        row_number() over (
            partition by order_keys.unified_key order by transitions.modified_at, transitions.raw_id
        )::integer as transition_seq,
        transitions.raw_id as source_raw_id
    from transitions
    inner join order_keys
        on transitions.platform = order_keys.platform
        and transitions.native_id = order_keys.native_id
)

select * from final
