{#- Read only by the check assert_every_staged_order_is_in_fct_orders. Ephemeral: no table of its
    own. Living outside staging keeps that check out of the staging build, which runs before the
    unified keys are allocated. -#}
{{ config(materialized='ephemeral') }}

with

platform_versions as (
    {{ union_platform_versions(where='parse_error is null') }}
),

final as (
    select
        platform,
        native_id as native_order_id,
        min(received_at) as first_received_at
    from platform_versions
    group by platform, native_id
)

select * from final
