alter table storage.objects add constraint objects_owner_fk foreign key (owner) references auth.users (id);
alter table storage.objects add constraint objects_name_len check (length(name) < 1024);
alter table storage.objects add column uploader uuid references auth.users (id);
alter table storage.buckets add constraint buckets_owner_fk foreign key (owner) references auth.users (id) not valid;
alter table storage.buckets validate constraint buckets_owner_fk;
