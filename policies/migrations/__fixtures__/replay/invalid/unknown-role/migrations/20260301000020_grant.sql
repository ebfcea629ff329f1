-- A role that exists on some servers, but not on the platform.
grant select on all tables in schema public to app_reader, metabase;
