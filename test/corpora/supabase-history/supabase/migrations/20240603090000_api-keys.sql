create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null,
  key_hash text not null,
  last_used_at timestamptz,
  created_at timestamptz not null default now()
);
create index api_keys_organization_id_idx on public.api_keys (organization_id);

-- Only the edge function (service_role) reads keys.
alter table public.api_keys enable row level security;

create or replace function public.hash_api_key(raw text)
returns text
language sql
immutable
set search_path = ''
as $$ select encode(extensions.digest(raw, 'sha256'), 'hex') $$;
