create table public.activity (
  id bigint generated always as identity primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  actor_id uuid references auth.users (id) on delete set null,
  verb text not null,
  subject jsonb not null,
  created_at timestamptz not null default now()
);
create index activity_organization_id_created_at_idx on public.activity (organization_id, created_at desc);

alter table public.activity enable row level security;
create policy "members read activity" on public.activity for select to authenticated
  using (public.is_member_of(organization_id));
