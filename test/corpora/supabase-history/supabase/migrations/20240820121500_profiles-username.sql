alter table public.profiles add column username text;
alter table public.profiles add constraint profiles_username_key unique (username);
alter table public.profiles add constraint username_length check (char_length(username) >= 3);
