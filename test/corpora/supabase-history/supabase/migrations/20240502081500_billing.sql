create schema if not exists billing;
revoke all on schema billing from public;
grant usage on schema billing to service_role;

create table billing.customers (
  organization_id uuid primary key references public.organizations (id) on delete cascade,
  stripe_customer_id text unique,
  plan text not null default 'free' check (plan in ('free', 'team', 'business'))
);

create table billing.events (
  id text primary key,
  type text not null,
  payload jsonb not null,
  received_at timestamptz not null default now()
);

grant all on all tables in schema billing to service_role;
