alter table public.profiles add column email varchar(255);
alter table public.profiles alter column email set not null;
create index profiles_email_idx on public.profiles (email);
alter table public.profiles add constraint profiles_email_key unique (email);
