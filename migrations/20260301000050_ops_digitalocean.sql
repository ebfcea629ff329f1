-- DigitalOcean inventory written by the ops-do-ingest runner (plan tasks 11-13).
create table ops.do_ingest_runs (
  id uuid primary key default gen_random_uuid(),
  status text not null check (status in ('running', 'succeeded', 'failed')),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  resources jsonb not null default '{}'::jsonb,
  error text
);
comment on table ops.do_ingest_runs is 'One row per run of ops-do-ingest, with counts per resource.';

create table ops.do_droplets (
  id bigint primary key,
  name text not null,
  status text not null,
  region text not null,
  size_slug text not null,
  memory_mb integer not null,
  vcpus integer not null,
  public_ipv4 inet,
  tags text[] not null default '{}',
  created_at timestamptz not null,
  raw jsonb not null,
  ingest_run_id uuid references ops.do_ingest_runs (id),
  synced_at timestamptz not null default now()
);
comment on table ops.do_droplets is 'Droplets from GET /v2/droplets.';
create index do_droplets_ingest_run_id_idx on ops.do_droplets (ingest_run_id);

create table ops.do_databases (
  id uuid primary key,
  name text not null,
  engine text not null,
  version text not null,
  status text not null,
  region text not null,
  num_nodes integer not null,
  created_at timestamptz not null,
  raw jsonb not null,
  ingest_run_id uuid references ops.do_ingest_runs (id),
  synced_at timestamptz not null default now()
);
comment on table ops.do_databases is 'Managed database clusters from GET /v2/databases.';
create index do_databases_ingest_run_id_idx on ops.do_databases (ingest_run_id);

create table ops.do_firewalls (
  id uuid primary key,
  name text not null,
  status text not null,
  droplet_ids bigint[] not null default '{}',
  created_at timestamptz not null,
  raw jsonb not null,
  ingest_run_id uuid references ops.do_ingest_runs (id),
  synced_at timestamptz not null default now()
);
comment on table ops.do_firewalls is 'Cloud firewalls from GET /v2/firewalls.';
create index do_firewalls_ingest_run_id_idx on ops.do_firewalls (ingest_run_id);

create table ops.do_actions (
  id bigint primary key,
  type text not null,
  status text not null,
  resource_type text,
  resource_id bigint,
  started_at timestamptz,
  completed_at timestamptz,
  raw jsonb not null,
  ingest_run_id uuid references ops.do_ingest_runs (id),
  synced_at timestamptz not null default now()
);
comment on table ops.do_actions is 'Account actions from GET /v2/actions.';
create index do_actions_ingest_run_id_idx on ops.do_actions (ingest_run_id);

-- The Overview's "Active Nodes": running droplets plus online database clusters.
create view ops.active_nodes with (security_invoker = true) as
  select 'droplet'::text as kind, d.id::text as id, d.name, d.region, d.status, d.synced_at
    from ops.do_droplets d where d.status = 'active'
  union all
  select 'database'::text, b.id::text, b.name, b.region, b.status, b.synced_at
    from ops.do_databases b where b.status = 'online';
comment on view ops.active_nodes is 'Active Nodes card of the Overview: active droplets and online database clusters.';

alter table ops.do_ingest_runs enable row level security;
alter table ops.do_droplets enable row level security;
alter table ops.do_databases enable row level security;
alter table ops.do_firewalls enable row level security;
alter table ops.do_actions enable row level security;
create policy do_ingest_runs_read on ops.do_ingest_runs for select to authenticated using (true);
create policy do_droplets_read on ops.do_droplets for select to authenticated using (true);
create policy do_databases_read on ops.do_databases for select to authenticated using (true);
create policy do_firewalls_read on ops.do_firewalls for select to authenticated using (true);
create policy do_actions_read on ops.do_actions for select to authenticated using (true);
grant select on ops.do_ingest_runs, ops.do_droplets, ops.do_databases, ops.do_firewalls, ops.do_actions, ops.active_nodes to authenticated;
grant all on ops.do_ingest_runs, ops.do_droplets, ops.do_databases, ops.do_firewalls, ops.do_actions to service_role;
