-- A private schema the API cannot reach: no RLS needed there.
create schema internal;
revoke all on schema internal from public;
create table internal.jobs (id bigint generated always as identity primary key, payload jsonb);
create view internal.recent_jobs as select id from internal.jobs;
-- Functions an extension owns are not the author's to fix.
create schema kit;
create extension pg_trgm schema kit;
