create table public.parent (id uuid primary key default gen_random_uuid());
create table public.child (
  id uuid primary key default gen_random_uuid(),
  parent_id uuid not null references public.parent (id)
);
create index child_parent_id_idx on public.child (parent_id);
alter table public.parent enable row level security;
alter table public.child enable row level security;
create policy parent_read on public.parent for select to authenticated using (true);
create policy child_read on public.child for select to authenticated using (true);
create view public.parents with (security_invoker = true) as select id from public.parent;
create function public.answer() returns int language sql set search_path = '' as $$ select 42 $$;
