create table public.items (id uuid primary key, owner uuid not null);
alter table public.items enable row level security;
create policy own_items on public.items for select to authenticated using ((select auth.uid()) = owner);

create view public.all_items as select id from public.items;

create function public.item_count() returns bigint language sql as $$ select count(*) from public.items $$;
