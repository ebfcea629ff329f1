-- The CLI applies this file: <digits>_<anything>.sql.
creat table public.notes (
  id uuid primary key
);
