insert into public.teams (name, slug) values ('Demo', 'demo');
