-- Gate runs published by `gates check --publish` (plan tasks 21-22): the run's identity on
-- ops.advisor_runs, and on ops.advisor_findings what a finding needs to be located, followed
-- across runs of one ref (first seen, still open, resolved) and linked to its evidence.
alter table ops.advisor_runs
  add column repository text,
  add column ref text,
  add column commit_sha text,
  add column base text,
  add column event text,
  add column engine_version text,
  add column duration_ms integer,
  add column summary jsonb not null default '{}'::jsonb;
comment on column ops.advisor_runs.ref is 'Git ref the run checked (refs/heads/main); findings are followed across runs of one ref.';
comment on column ops.advisor_runs.commit_sha is 'The checked commit.';
comment on column ops.advisor_runs.summary is 'Counts by severity and internal errors, as in gate-report.json.';

alter table ops.advisor_findings
  add column policy text,
  add column file text,
  add column start_line integer,
  add column start_column integer,
  add column end_line integer,
  add column end_column integer,
  add column fingerprint text,
  add column commit_sha text,
  add column source text not null default 'gates',
  add column docs_url text,
  add column ref text,
  add column status text not null default 'open' check (status in ('open', 'superseded', 'resolved')),
  add column first_seen_run_id uuid,
  add column resolved_run_id uuid;
comment on column ops.advisor_findings.fingerprint is 'Identity of the finding across unrelated edits (gate-report.json).';
comment on column ops.advisor_findings.source is 'What produced the finding: gates, or another scanner.';
comment on column ops.advisor_findings.status is 'open: in the latest run of its ref; superseded: still present in a later run (that row carries it); resolved: gone in the next run.';
comment on column ops.advisor_findings.first_seen_run_id is 'The run of the same ref where this finding was first seen open.';
comment on column ops.advisor_findings.resolved_run_id is 'The run of the same ref where this finding was gone.';

-- A plain index: the advisor tables hold a few scans when this ships, and a migration file is one transaction, where concurrently cannot run.
create index advisor_runs_ref_started_idx on ops.advisor_runs (ref, started_at desc);
-- (run_id, fingerprint) serves every lookup by run_id too, so the run_id index goes: one index
-- less to maintain on each of the thousands of rows a publish writes.
-- A plain index: the advisor tables hold a few scans when this ships, and a migration file is one transaction, where concurrently cannot run.
create index advisor_findings_run_fingerprint_idx on ops.advisor_findings (run_id, fingerprint);
drop index ops.advisor_findings_run_id_idx;
-- Room on each page for the next run's status update to stay a heap-only (HOT) update.
alter table ops.advisor_findings set (fillfactor = 80);
