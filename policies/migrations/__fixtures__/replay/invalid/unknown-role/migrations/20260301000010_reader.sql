create role app_reader nologin;
grant usage on schema public to app_reader;
