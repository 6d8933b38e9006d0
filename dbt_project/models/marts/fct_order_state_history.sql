with

platform_versions as (
    {{ union_platform_versions(where='parse_error is null') }}
),

orders as (
    select * from {{ ref('int_orders__unified') }}
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

observed as (
    select
        platform,
        native_id,
        previous_rank as from_rank,
        reached_rank as to_rank,
        modified_at as transitioned_at,
        raw_id,
        false as is_inferred
    from with_previous
    where previous_rank is null or reached_rank > previous_rank
),

first_seen_past_created as (
    -- orders whose first version is already paid or further: their creation was never seen
    select observed.*
    from observed
    where from_rank is null and to_rank > 1
),

inferred_created as (
    select
        first_seen_past_created.platform,
        first_seen_past_created.native_id,
        null::integer as from_rank,
        1 as to_rank,
        orders.created_at as transitioned_at,
        first_seen_past_created.raw_id,
        true as is_inferred
    from first_seen_past_created
    inner join orders
        on first_seen_past_created.platform = orders.platform
        and first_seen_past_created.native_id = orders.native_order_id
),

observed_after_created as (
    select
        platform,
        native_id,
        case when from_rank is null and to_rank > 1 then 1 else from_rank end as from_rank,
        to_rank,
        transitioned_at,
        raw_id,
        is_inferred
    from observed
),

transitions as (
    select * from inferred_created
    union all
    select * from observed_after_created
),

final as (
    select
        orders.unified_key,
        transitions.platform,
        transitions.native_id as native_order_id,
        {{ state_from_rank('transitions.from_rank') }} as from_state,
        {{ state_from_rank('transitions.to_rank') }} as to_state,
        transitions.transitioned_at,
        -- stages only move forward, so the stage reached orders the transitions
        row_number() over (
            partition by orders.unified_key order by transitions.to_rank
        )::integer as transition_seq,
        transitions.raw_id as source_raw_id,
        transitions.is_inferred
    from transitions
    inner join orders
        on transitions.platform = orders.platform
        and transitions.native_id = orders.native_order_id
)

select * from final
