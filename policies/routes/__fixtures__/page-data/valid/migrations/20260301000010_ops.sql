create schema ops;
create table ops.do_droplets (
  id bigint primary key,
  name text not null,
  status text not null
);
create view ops.active_nodes as
  select id::text as id, name, status from ops.do_droplets where status = 'active';
