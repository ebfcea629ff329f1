-- Advisor scans and their findings (plan task 21).
create table ops.advisor_runs (
  id uuid primary key default gen_random_uuid(),
  status text not null check (status in ('running', 'succeeded', 'failed')),
  triggered_by text,
  started_at timestamptz not null default now(),
  finished_at timestamptz
);
comment on table ops.advisor_runs is 'One row per advisor scan ("Run Scan").';

create table ops.advisor_findings (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null references ops.advisor_runs (id) on delete cascade,
  rule text not null,
  severity text not null check (severity in ('error', 'warning', 'notice')),
  subject text not null,
  message text not null,
  detail jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
comment on table ops.advisor_findings is 'Findings of an advisor scan.';
create index advisor_findings_run_id_idx on ops.advisor_findings (run_id);

alter table ops.advisor_runs enable row level security;
alter table ops.advisor_findings enable row level security;
create policy advisor_runs_read on ops.advisor_runs for select to authenticated using (true);
create policy advisor_findings_read on ops.advisor_findings for select to authenticated using (true);
grant select on ops.advisor_runs, ops.advisor_findings to authenticated;
grant all on ops.advisor_runs, ops.advisor_findings to service_role;
