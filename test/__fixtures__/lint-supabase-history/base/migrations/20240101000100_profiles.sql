create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  username varchar(40) unique,
  full_name text,
  avatar_url text,
  updated_at timestamp with time zone default now()
);
alter table public.profiles enable row level security;
create policy "Public profiles are viewable by everyone." on profiles for select using (true);
create policy "Users can insert their own profile." on profiles for insert with check ((select auth.uid()) = id);
create policy "Users can update own profile." on profiles for update using ((select auth.uid()) = id);
