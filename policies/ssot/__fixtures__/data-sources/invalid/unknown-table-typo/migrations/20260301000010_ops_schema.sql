-- The ops schema and the run log.
create schema if not exists ops;

create table ops.run_events (
  id uuid primary key default gen_random_uuid(),
  runner text not null,
  created_at timestamptz not null default now()
);
alter table ops.run_events enable row level security;
