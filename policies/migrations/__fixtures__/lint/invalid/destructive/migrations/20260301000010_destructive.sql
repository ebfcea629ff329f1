alter table auth.users drop column phone;
alter table auth.users add column tenant uuid not null;
alter table auth.users rename column email to mail;
alter table auth.users rename to people;
drop table auth.audit_log_entries;
