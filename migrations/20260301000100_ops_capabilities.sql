-- Control-plane capabilities (plan task 15); rows equal ssot/capabilities.yaml.
create table ops.capabilities (
  id text primary key,
  title text not null,
  maturity text not null check (maturity in ('ga', 'beta', 'scaffold')),
  data_source text not null,
  baseline_allowed boolean not null default false,
  updated_at timestamptz not null default now()
);
comment on table ops.capabilities is 'Supabase primitives the control plane exposes, with their maturity; seeded from ssot/capabilities.yaml.';

alter table ops.capabilities enable row level security;
create policy capabilities_read on ops.capabilities for select to authenticated using (true);
grant select on ops.capabilities to authenticated;
grant all on ops.capabilities to service_role;

insert into ops.capabilities (id, title, maturity, data_source, baseline_allowed) values
  ('database', 'Database', 'ga', 'supabase:database', true),
  ('auth', 'Auth', 'ga', 'supabase:auth', true),
  ('rls', 'Row Level Security', 'ga', 'ops.advisor_findings', true),
  ('edge_functions', 'Edge Functions', 'ga', 'ops.run_events', true),
  ('realtime', 'Realtime', 'beta', 'supabase:realtime', false),
  ('storage', 'Storage', 'beta', 'supabase:storage', false),
  ('vault', 'Vault', 'beta', 'ops.secret_sync_runs', true),
  ('branches', 'Branches', 'scaffold', 'supabase:branches', false),
  ('logs', 'Logs', 'ga', 'ops.run_events', true),
  ('metrics', 'Metrics', 'scaffold', 'supabase:metrics', false);
