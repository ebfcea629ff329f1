create extension if not exists pg_net with schema extensions;
create extension if not exists http with schema extensions;

create function public.ping() returns bigint language sql set search_path = '' as $$
  select net.http_get('https://example.com/ping')
$$;
