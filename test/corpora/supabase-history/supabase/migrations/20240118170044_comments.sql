create table public.comments (
  id bigint generated always as identity primary key,
  task_id bigint not null references public.tasks (id) on delete cascade,
  author_id uuid not null references auth.users (id) on delete cascade,
  body text not null,
  created_at timestamptz not null default now()
);
create index comments_task_id_idx on public.comments (task_id);

alter table public.comments enable row level security;

create policy "read comments of readable tasks" on public.comments for select to authenticated
  using (exists (select 1 from public.tasks t where t.id = task_id));
create policy "write own comments" on public.comments for insert to authenticated
  with check (author_id = (select auth.uid()));
