-- No RLS, in the exposed schema public.
create table public.open_table (id uuid primary key);

-- RLS and no policy: only service_role reads it (advisor level INFO).
create table public.service_only (id uuid primary key);
alter table public.service_only enable row level security;

-- A policy that does nothing: RLS is off.
create table public.policy_only (id uuid primary key);
create policy read_all on public.policy_only for select using (true);

-- Not in an exposed schema, but granted to the API roles.
create schema ops;
grant usage on schema ops to authenticated;
create table ops.granted (id uuid primary key);
grant select on ops.granted to authenticated;

-- Not exposed and not granted: nothing to say.
create schema internal;
create table internal.jobs (id uuid primary key);
