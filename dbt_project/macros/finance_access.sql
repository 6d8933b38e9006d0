{#- Finance reads `marts` and `reports` through a read-only role, and nothing else. Managing the
    role needs CREATEROLE (or being its admin); a build run by a user without it warns and goes
    on, leaving the role as it is. -#}

{% macro create_finance_role() %}
{%- set role = var("finance_role") %}
do $role$
begin
    begin
        if not exists (select 1 from pg_roles where rolname = '{{ role }}') then
            create role {{ role }} login nosuperuser nocreatedb nocreaterole;
        end if;
    exception when duplicate_object then
        null;  -- created concurrently by another build
    end;
    -- every session of the role is read-only unless it says otherwise; it is granted nothing
    -- but usage and select below (on Postgres 15+ nobody may create in `public` by default)
    alter role {{ role }} set default_transaction_read_only = on;
exception when insufficient_privilege then
    raise warning 'finance role {{ role }} not created or hardened: %', sqlerrm;
end
$role$;
{% endmacro %}

{% macro grant_finance_access() %}
{%- set role = var("finance_role") %}
{%- for schema in ['marts', 'reports'] %}
create schema if not exists {{ schema }};
do $grant$
begin
    if not exists (select 1 from pg_roles where rolname = '{{ role }}') then
        raise warning 'finance role {{ role }} does not exist: {{ schema }} not granted';
        return;
    end if;
    grant usage on schema {{ schema }} to {{ role }};
    grant select on all tables in schema {{ schema }} to {{ role }};
    alter default privileges in schema {{ schema }} grant select on tables to {{ role }};
exception when insufficient_privilege then
    raise warning 'finance role {{ role }} not granted {{ schema }}: %', sqlerrm;
end
$grant$;
{%- endfor %}
{% endmacro %}
