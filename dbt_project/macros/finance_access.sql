{#- Finance reads `marts` and `reports` through a read-only role, and nothing else. -#}

{% macro create_finance_role() %}
do $role$
begin
    if not exists (select 1 from pg_roles where rolname = '{{ var("finance_role") }}') then
        create role {{ var("finance_role") }} login nosuperuser nocreatedb nocreaterole;
    end if;
exception when duplicate_object then
    null;  -- created concurrently by another build
end
$role$;
{% endmacro %}

{% macro grant_finance_access() %}
{%- for schema in ['marts', 'reports'] %}
create schema if not exists {{ schema }};
grant usage on schema {{ schema }} to {{ var("finance_role") }};
grant select on all tables in schema {{ schema }} to {{ var("finance_role") }};
alter default privileges in schema {{ schema }} grant select on tables to {{ var("finance_role") }};
{%- endfor %}
{% endmacro %}
