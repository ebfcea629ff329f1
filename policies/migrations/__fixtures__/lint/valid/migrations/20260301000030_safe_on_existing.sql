-- Existing platform tables, changed the way that takes no long lock.
alter table storage.objects add column created timestamptz default now();
alter table storage.objects add column kind text default 'file';
alter table storage.objects add constraint objects_owner_fk foreign key (owner) references auth.users (id) not valid;
alter table storage.objects add constraint objects_name_nn check (name is not null) not valid;
