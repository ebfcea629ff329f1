-- lint-allow drop-table: the audit table moved to ops.run_events in 20260301000010
drop table auth.audit_log_entries;
-- lint-allow drop-column: short
alter table auth.identities drop column email;
-- lint-allow no-such-rule: a reason that is long enough
select 1;
-- lint-allow rename-table: nothing here renames a table
select 2;
