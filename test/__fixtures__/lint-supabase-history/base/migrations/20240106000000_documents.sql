create extension if not exists vector with schema extensions;
create table public.documents (
  id bigint primary key generated always as identity,
  team_id uuid not null references public.teams (id),
  title text not null,
  body text,
  embedding extensions.vector(1536)
);
create index on public.documents using hnsw (embedding extensions.vector_cosine_ops);
