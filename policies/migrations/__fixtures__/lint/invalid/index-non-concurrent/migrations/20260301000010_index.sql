create index users_email_idx on auth.users (email);
create unique index objects_path_idx on storage.objects (bucket_id, name);
