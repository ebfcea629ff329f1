/* create table ops.do_firewalls (id bigint primary key); -- not yet */
drop table if exists ops.do_ingest_runs;
do $$ begin execute 'create table ops.do_actions (id bigint)'; end $$;
