alter table private.audit_log add column request_id uuid default extensions.uuid_generate_v4();
alter table private.audit_log alter column at type timestamptz;
insert into audit_log (actor, action) values (null, 'migrated');
