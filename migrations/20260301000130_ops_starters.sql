-- Starters from vercel/examples (plan task 35).
create table ops.starters (
  id uuid primary key default gen_random_uuid(),
  source text not null,
  slug text not null,
  title text not null,
  framework text,
  tags text[] not null default '{}',
  deploy_url text not null,
  updated_at timestamptz not null default now(),
  unique (source, slug)
);
comment on table ops.starters is 'Starter templates ingested by starters-ingest; the Starters page lists them.';

alter table ops.starters enable row level security;
create policy starters_read on ops.starters for select to authenticated using (true);
grant select on ops.starters to authenticated;
grant all on ops.starters to service_role;
