create schema if not exists private;
revoke all on schema private from public;
create table private.audit_log (
  id bigserial primary key,
  actor uuid,
  action text not null,
  payload json,
  at timestamp default now()
);
