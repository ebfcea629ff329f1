-- Initial schema for Tasklane: organisations, members and profiles.
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;

create type public.member_role as enum ('owner', 'admin', 'member', 'viewer');

create table public.profiles (
  id uuid not null references auth.users on delete cascade,
  full_name text,
  avatar_url text,
  updated_at timestamp with time zone,

  primary key (id),
  constraint full_name_length check (char_length(full_name) <= 120)
);

alter table public.profiles enable row level security;

create policy "Profiles are viewable by signed-in users." on public.profiles
  for select to authenticated using (true);

create policy "Users can insert their own profile." on public.profiles
  for insert to authenticated with check ((select auth.uid()) = id);

create policy "Users can update own profile." on public.profiles
  for update to authenticated using ((select auth.uid()) = id);
