create function public.next_code() returns text language sql as $$ select md5(random()::text) $$;
alter table storage.objects add column token uuid default gen_random_uuid();
alter table storage.objects add column seq bigserial;
alter table storage.objects add column code text default public.next_code();
alter table storage.objects add column n bigint generated always as identity;
