create table public.b (id uuid primary key);
