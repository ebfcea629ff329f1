create schema ops;
create table ops.parent (id uuid primary key);
alter table ops.parent enable row level security;
create policy parent_read on ops.parent for select to authenticated using (true);
