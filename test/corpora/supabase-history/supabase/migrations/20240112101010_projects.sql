create table public.projects (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null,
  description text,
  archived boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index projects_organization_id_idx on public.projects (organization_id);

alter table public.projects enable row level security;

create policy "members read projects" on public.projects
  for select to authenticated using (public.is_member_of(organization_id));
create policy "members write projects" on public.projects
  for insert to authenticated with check (public.is_member_of(organization_id));
create policy "members update projects" on public.projects
  for update to authenticated using (public.is_member_of(organization_id));
