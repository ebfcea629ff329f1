create or replace function public.match_documents(
  query_embedding extensions.vector(384),
  match_count int default 5,
  org uuid default null
)
returns table (id bigint, title text, similarity float)
language sql
stable
set search_path = ''
as $$
  select d.id, d.title, 1 - (d.embedding operator(extensions.<=>) query_embedding) as similarity
  from public.documents d
  where org is null or d.organization_id = org
  order by d.embedding operator(extensions.<=>) query_embedding
  limit match_count;
$$;
