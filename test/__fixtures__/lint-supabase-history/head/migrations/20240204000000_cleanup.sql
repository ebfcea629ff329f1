drop index if exists public.todos_user_id_idx;
create index concurrently if not exists todos_user_created_idx on public.todos (user_id, inserted_at);
alter table public.teams drop column description;
alter table public.team_members rename column role to member_role;
