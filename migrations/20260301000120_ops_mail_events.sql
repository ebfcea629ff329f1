-- Mail catcher evidence (plan task 27): exactly the plan's columns.
create table ops.mail_events (
  id uuid primary key default gen_random_uuid(),
  env text not null check (env in ('prod', 'stage', 'dev')),
  provider text not null default 'mailgun' check (provider in ('mailgun')),
  message_id text not null,
  subject text,
  sender text,
  recipient text not null,
  transport text,
  stamp timestamptz not null,
  raw jsonb not null,
  received_at timestamptz not null default now()
);
comment on table ops.mail_events is 'Mail events caught from Mailgun webhooks; the Mail Catcher panel reads the last 50.';
comment on column ops.mail_events.transport is 'SMTP host and port, e.g. smtp.mailgun.org:2525.';
comment on column ops.mail_events.stamp is 'Event time reported by Mailgun.';

-- A webhook delivered twice (Mailgun retries for 8 hours) upserts the same row.
create unique index mail_events_idempotency_key on ops.mail_events (provider, message_id, recipient, stamp);
create index mail_events_env_stamp_idx on ops.mail_events (env, stamp desc);

alter table ops.mail_events enable row level security;
create policy mail_events_read on ops.mail_events for select to authenticated using (true);
grant select on ops.mail_events to authenticated;
grant all on ops.mail_events to service_role;
