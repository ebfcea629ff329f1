alter table storage.objects add constraint objects_path_key unique (bucket_id, name);
alter table storage.buckets add primary key (id);
alter table storage.buckets add column slug text unique;
create unique index if not exists buckets_name_key on storage.buckets (name);
alter table storage.buckets add constraint buckets_name_key unique using index buckets_name_key;
