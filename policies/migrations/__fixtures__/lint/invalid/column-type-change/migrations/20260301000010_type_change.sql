alter table auth.users alter column phone type bigint using phone::bigint;
alter table storage.objects alter column name type varchar(100);
