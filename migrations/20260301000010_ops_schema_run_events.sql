-- The ops schema: what the OdooOps Console and the ingest runners read and write.
create schema if not exists ops;
comment on schema ops is 'OdooOps control plane: runs, inventories, catalogs and evidence.';

grant usage on schema ops to authenticated, service_role;

-- One row per event of any runner (ingest, sync, scan): the console's Logs page.
create table ops.run_events (
  id bigint generated always as identity primary key,
  runner text not null,
  run_id uuid not null,
  level text not null default 'info' check (level in ('debug', 'info', 'warn', 'error')),
  message text not null,
  data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
comment on table ops.run_events is 'Audit log of every runner event; the console Logs page reads it.';
comment on column ops.run_events.runner is 'Runner id, e.g. ops-do-ingest.';
comment on column ops.run_events.run_id is 'Identifier shared by the events of one run.';

create index run_events_run_id_idx on ops.run_events (run_id);
create index run_events_created_at_idx on ops.run_events (created_at desc);

alter table ops.run_events enable row level security;
create policy run_events_read on ops.run_events for select to authenticated using (true);
grant select on ops.run_events to authenticated;
grant all on ops.run_events to service_role;
