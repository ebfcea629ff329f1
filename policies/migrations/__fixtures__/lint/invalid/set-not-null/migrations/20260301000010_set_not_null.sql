alter table auth.users alter column phone set not null;
