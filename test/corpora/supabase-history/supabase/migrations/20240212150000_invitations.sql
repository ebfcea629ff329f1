create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  email text not null,
  role public.member_role not null default 'member',
  token text not null unique default encode(extensions.gen_random_bytes(24), 'hex'),
  invited_by uuid not null references auth.users (id),
  accepted_at timestamptz,
  created_at timestamptz not null default now()
);
create index invitations_organization_id_idx on public.invitations (organization_id);

alter table public.invitations enable row level security;
create policy "admins see invitations" on public.invitations for select to authenticated
  using (public.has_role(organization_id, array['owner', 'admin']::public.member_role[]));
