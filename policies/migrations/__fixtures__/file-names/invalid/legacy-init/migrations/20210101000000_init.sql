-- schema dump of an early Supabase CLI
create table public.a (id uuid primary key);
