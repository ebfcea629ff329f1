create table public.parent (id uuid primary key);
alter table public.parent enable row level security;
create policy parent_read on public.parent for select to authenticated using (true);

create table public.keyless (note text);
alter table public.keyless enable row level security;
create policy keyless_read on public.keyless for select to authenticated using (true);

create table public.child (
  id uuid primary key,
  parent_id uuid references public.parent (id)
);
alter table public.child enable row level security;
create policy child_read on public.child for select to authenticated using (true);
create index child_a on public.child (id, parent_id);
create index child_b on public.child (id, parent_id);
