create table public.teams (
  id uuid primary key default extensions.uuid_generate_v4(),
  name text not null,
  slug text not null,
  created_at timestamptz not null default now()
);
create table public.team_members (
  team_id uuid not null references public.teams (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member',
  primary key (team_id, user_id)
);
alter table public.teams enable row level security;
alter table public.team_members enable row level security;
