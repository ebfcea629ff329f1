-- Knowledge base with semantic search.
create extension if not exists vector with schema extensions;

create table public.documents (
  id bigint primary key generated always as identity,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  title text not null,
  content text not null,
  embedding extensions.vector(384),
  created_at timestamptz not null default now()
);
create index documents_organization_id_idx on public.documents (organization_id);

alter table public.documents enable row level security;
create policy "members read documents" on public.documents for select to authenticated
  using (public.is_member_of(organization_id));
