insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('attachments', 'attachments', false, 10485760, array['image/png', 'image/jpeg', 'application/pdf']);

create table public.attachments (
  id uuid primary key default gen_random_uuid(),
  task_id bigint not null references public.tasks (id) on delete cascade,
  object_path text not null,
  uploaded_by uuid not null references auth.users (id),
  created_at timestamptz not null default now()
);
create index attachments_task_id_idx on public.attachments (task_id);
alter table public.attachments enable row level security;

create policy "members read attachments" on public.attachments for select to authenticated
  using (exists (select 1 from public.tasks t where t.id = task_id));
create policy "members add attachments" on public.attachments for insert to authenticated
  with check (uploaded_by = (select auth.uid()));
