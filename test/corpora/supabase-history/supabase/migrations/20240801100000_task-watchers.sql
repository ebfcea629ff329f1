create table public.task_watchers (
  task_id bigint not null references public.tasks (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (task_id, user_id)
);

alter table public.task_watchers enable row level security;
create policy "users manage own watches" on public.task_watchers for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
