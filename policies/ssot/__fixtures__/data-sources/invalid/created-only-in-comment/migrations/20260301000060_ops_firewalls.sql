/* create table ops.do_firewalls (id bigint primary key); -- not yet */
