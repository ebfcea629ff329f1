CREATE TABLE IF NOT EXISTS "ops"."do_droplets" (id bigint primary key, name text not null);
create unlogged table ops.do_ingest_runs (id uuid primary key);
create or replace view ops.active_nodes with (security_invoker = true) as
  select id, name from ops.do_droplets;
comment on table ops.do_droplets is 'Droplets; create table ops.not_a_table is only text here';
