create index concurrently users_phone_idx on auth.users (phone);
drop index concurrently if exists auth.users_phone_idx;
