alter table auth.users drop column phone;
alter table auth.users add column tenant uuid not null;
create index users_email_idx on auth.users (email);
create index concurrently users_phone_idx on auth.users (phone);
alter table auth.users rename column email to mail;
alter table auth.users rename to people;
-- lint-allow drop-table: the audit table moved to ops.run_events in 20260301000010
drop table auth.audit_log_entries;
-- lint-allow drop-column: short
alter table auth.identities drop column email;
-- lint-allow no-such-rule: a reason that is long enough
select 1;
