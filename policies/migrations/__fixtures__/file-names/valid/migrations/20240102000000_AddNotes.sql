create table public.Notes (id uuid primary key);
