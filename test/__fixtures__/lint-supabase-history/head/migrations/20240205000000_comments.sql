create table public.comments (
  id bigint generated always as identity primary key,
  document_id bigint not null references public.documents (id) on delete cascade,
  author uuid not null references auth.users (id),
  body text not null,
  created_at timestamptz not null default now()
);
create index comments_document_id_idx on public.comments (document_id);
alter table public.comments enable row level security;
create policy "members read comments" on comments for select to authenticated
  using (exists (select 1 from team_members m join documents d on d.team_id = m.team_id where d.id = document_id and m.user_id = (select auth.uid())));
