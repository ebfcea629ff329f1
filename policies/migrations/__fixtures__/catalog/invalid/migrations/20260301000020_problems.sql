-- A table without RLS.
create table ops.open_table (id uuid primary key);

create table ops.locked (id uuid primary key);
alter table ops.locked enable row level security;

create table ops.keyless (note text);
alter table ops.keyless enable row level security;
create policy keyless_read on ops.keyless for select to authenticated using (true);

create table ops.child (
  id uuid primary key,
  parent_id uuid references ops.parent (id)
);
alter table ops.child enable row level security;
create policy child_read on ops.child for select to authenticated using (true);
create index child_a on ops.child (id, parent_id);
create index child_b on ops.child (id, parent_id);

create view ops.everything as select id from ops.parent;

create function ops.answer() returns int language sql as $$ select 42 $$;
