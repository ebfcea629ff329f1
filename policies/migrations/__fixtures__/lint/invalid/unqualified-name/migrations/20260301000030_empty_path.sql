-- a new file starts from the default search_path again; pg_dump empties it
delete from public.steps;
select pg_catalog.set_config('search_path', '', false);
delete from steps;
