-- One audit row per secret sync attempt (plan task 5).
create table ops.secret_sync_runs (
  id uuid primary key default gen_random_uuid(),
  secret_name text not null,
  target_store text not null,
  status text not null check (status in ('started', 'succeeded', 'failed')),
  error text,
  actor text,
  started_at timestamptz not null default now(),
  finished_at timestamptz
);
comment on table ops.secret_sync_runs is 'Audit record of every secret sync attempt; names only, never values.';
comment on column ops.secret_sync_runs.secret_name is 'Name from ssot/secrets/registry.yaml.';

create index secret_sync_runs_started_at_idx on ops.secret_sync_runs (started_at desc);

alter table ops.secret_sync_runs enable row level security;
create policy secret_sync_runs_read on ops.secret_sync_runs for select to authenticated using (true);
grant select on ops.secret_sync_runs to authenticated;
grant all on ops.secret_sync_runs to service_role;
