create extension if not exists pg_trgm with schema extensions;

create index tasks_title_trgm_idx on public.tasks using gin (title extensions.gin_trgm_ops);
