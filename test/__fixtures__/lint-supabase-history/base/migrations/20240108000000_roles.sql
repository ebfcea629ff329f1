create role app_reader nologin;
grant usage on schema public to app_reader;
grant select on all tables in schema public to app_reader;
