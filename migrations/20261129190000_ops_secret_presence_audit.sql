-- The secret presence audit (plan tasks 5, 23): each attempt to check a secret in a store is a row
-- of ops.secret_sync_runs, like a sync; names and presence only, never a value.
alter table ops.secret_sync_runs
  add column run_id uuid,
  add column action text not null default 'sync' check (action in ('sync', 'audit')),
  add column present boolean;
comment on column ops.secret_sync_runs.run_id is 'The audit or sync run the attempt belongs to (one run checks every secret in every store).';
comment on column ops.secret_sync_runs.action is 'sync: the secret was written to the store; audit: its presence was checked by name.';
comment on column ops.secret_sync_runs.present is 'Audit: whether the store holds a secret of that name; null when the check failed (see error).';

create index secret_sync_runs_run_id_idx on ops.secret_sync_runs (run_id);
