create table public.labels (
  id serial primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null,
  color text not null default '#888888',
  unique (organization_id, name)
);

create table public.task_labels (
  task_id bigint not null references public.tasks (id) on delete cascade,
  label_id integer not null references public.labels (id) on delete cascade,
  primary key (task_id, label_id)
);

alter table public.labels enable row level security;
alter table public.task_labels enable row level security;

create policy "members read labels" on public.labels for select to authenticated using (public.is_member_of(organization_id));
create policy "members read task labels" on public.task_labels for select to authenticated using (true);
