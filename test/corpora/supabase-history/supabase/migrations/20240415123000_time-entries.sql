create table public.time_entries (
  id bigint generated always as identity primary key,
  task_id bigint not null references public.tasks (id) on delete cascade,
  user_id uuid not null references auth.users (id),
  started_at timestamptz not null,
  ended_at timestamptz,
  minutes integer generated always as ((extract(epoch from (ended_at - started_at)) / 60)::integer) stored,
  constraint ended_after_started check (ended_at is null or ended_at > started_at)
);
create index time_entries_task_id_idx on public.time_entries (task_id);

alter table public.time_entries enable row level security;
create policy "users manage own time" on public.time_entries for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
