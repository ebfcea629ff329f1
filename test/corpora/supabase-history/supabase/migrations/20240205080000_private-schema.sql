-- Internal bookkeeping that the API must never see.
create schema if not exists private;
revoke all on schema private from public;
revoke all on schema private from anon, authenticated;

create table private.audit_log (
  id bigint generated always as identity primary key,
  table_name text not null,
  op text not null,
  row_id text,
  actor uuid,
  at timestamptz not null default now(),
  diff jsonb
);
