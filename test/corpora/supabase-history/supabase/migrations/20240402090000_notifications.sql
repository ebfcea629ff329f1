create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null,
  payload jsonb not null default '{}'::jsonb,
  read_at timestamptz,
  created_at timestamptz not null default now()
);
create index notifications_user_id_created_at_idx on public.notifications (user_id, created_at desc);

alter table public.notifications enable row level security;
create policy "users read own notifications" on public.notifications for select to authenticated
  using (user_id = (select auth.uid()));
create policy "users mark own notifications read" on public.notifications for update to authenticated
  using (user_id = (select auth.uid()));

alter publication supabase_realtime add table public.notifications;
