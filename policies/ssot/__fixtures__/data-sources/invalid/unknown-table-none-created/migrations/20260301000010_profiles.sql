-- The app schema only: no ops table yet.
create table public.profiles (id uuid primary key);
