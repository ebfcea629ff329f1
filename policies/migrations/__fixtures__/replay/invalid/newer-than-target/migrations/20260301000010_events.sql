create table public.events (
  id uuid primary key default uuidv7(),
  payload jsonb not null
);
