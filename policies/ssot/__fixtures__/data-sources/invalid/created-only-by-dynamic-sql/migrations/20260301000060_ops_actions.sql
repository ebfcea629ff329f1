do $$ begin execute 'create table ops.do_actions (id bigint)'; end $$;
