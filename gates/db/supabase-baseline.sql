-- The Supabase baseline that migrations assume, applied to every replay database before the
-- first migration, the same on PGlite and on Postgres. Roles are cluster-wide on Postgres, so
-- they are created only when missing.
do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

-- Supabase installs extensions into their own schema; the migrations use only core functions
-- (gen_random_uuid is built in since Postgres 13), so no extension is created here.
create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;

-- The auth helpers that RLS policies call.
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create or replace function auth.uid() returns uuid
  language sql stable set search_path = ''
  as $$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;

create or replace function auth.role() returns text
  language sql stable set search_path = ''
  as $$ select nullif(current_setting('request.jwt.claim.role', true), '')::text $$;

create or replace function auth.jwt() returns jsonb
  language sql stable set search_path = ''
  as $$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$;
