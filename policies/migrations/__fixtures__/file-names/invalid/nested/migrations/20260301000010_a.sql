create table public.a (id uuid primary key);
