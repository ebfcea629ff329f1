-- What the ingest runners need beyond the plan's tables (issue 14): resources no longer listed are
-- marked gone (never deleted), runs count their HTTP attempts, the starters runner has a run table
-- that keeps the tree's ETag, and the Mailgun webhook remembers the tokens it has seen.

alter table ops.do_ingest_runs add column attempts integer not null default 0;
comment on column ops.do_ingest_runs.attempts is 'HTTP attempts of the run, retries included.';

alter table ops.do_droplets add column gone_at timestamptz;
alter table ops.do_databases add column gone_at timestamptz;
alter table ops.do_firewalls add column gone_at timestamptz;
comment on column ops.do_droplets.gone_at is 'Set when a complete listing no longer has the droplet; cleared if it comes back.';
comment on column ops.do_databases.gone_at is 'Set when a complete listing no longer has the cluster; cleared if it comes back.';
comment on column ops.do_firewalls.gone_at is 'Set when a complete listing no longer has the firewall; cleared if it comes back.';

-- The Overview's "Active Nodes" leaves out what is gone.
create or replace view ops.active_nodes with (security_invoker = true) as
  select 'droplet'::text as kind, d.id::text as id, d.name, d.region, d.status, d.synced_at
    from ops.do_droplets d where d.status = 'active' and d.gone_at is null
  union all
  select 'database'::text, b.id::text, b.name, b.region, b.status, b.synced_at
    from ops.do_databases b where b.status = 'online' and b.gone_at is null;
comment on view ops.active_nodes is 'Active Nodes card of the Overview: active droplets and online database clusters still listed.';

alter table ops.starters add column gone_at timestamptz;
alter table ops.starters add column tree_sha text;
comment on column ops.starters.gone_at is 'Set when the example folder is no longer in the tree; cleared if it comes back.';
comment on column ops.starters.tree_sha is 'Git tree sha of the example folder when it was read; an unchanged folder is not read again.';

-- One row per run of starters-ingest; the last succeeded run's ETag makes the next tree request conditional.
create table ops.starters_ingest_runs (
  id uuid primary key default gen_random_uuid(),
  status text not null check (status in ('running', 'succeeded', 'failed')),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  counts jsonb not null default '{}'::jsonb,
  attempts integer not null default 0,
  tree_etag text,
  tree_sha text,
  error text
);
comment on table ops.starters_ingest_runs is 'One row per run of starters-ingest, with counts and the git tree ETag.';
create index starters_ingest_runs_started_at_idx on ops.starters_ingest_runs (started_at desc);

alter table ops.starters_ingest_runs enable row level security;
create policy starters_ingest_runs_read on ops.starters_ingest_runs for select to authenticated using (true);
grant select on ops.starters_ingest_runs to authenticated;
grant all on ops.starters_ingest_runs to service_role;

-- Webhook tokens already accepted: a replayed signature is refused even after a restart.
create table ops.mail_webhook_tokens (
  token text primary key,
  signed_at timestamptz not null,
  seen_at timestamptz not null default now()
);
comment on table ops.mail_webhook_tokens is 'Mailgun webhook signature tokens already accepted (replay protection); older than the window they may be pruned.';
create index mail_webhook_tokens_signed_at_idx on ops.mail_webhook_tokens (signed_at);

alter table ops.mail_webhook_tokens enable row level security;
-- Only the webhook (service role) reads and writes tokens; no console page shows them.
create policy mail_webhook_tokens_service on ops.mail_webhook_tokens for all to service_role using (true) with check (true);
grant all on ops.mail_webhook_tokens to service_role;

-- A Mailgun event is stored once by its event id (raw is the body as posted; Mailgun assigns event-data.id).
create unique index mail_events_event_id_key on ops.mail_events (provider, (raw -> 'event-data' ->> 'id'));
