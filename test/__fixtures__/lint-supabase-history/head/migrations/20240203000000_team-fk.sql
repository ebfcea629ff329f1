alter table public.documents add column author uuid;
alter table public.documents add constraint documents_author_fk foreign key (author) references auth.users (id) not valid;
alter table public.documents validate constraint documents_author_fk;
alter table public.teams add constraint teams_slug_key unique (slug);
