create extension if not exists pg_cron with schema extensions;

select cron.schedule(
  'purge-read-notifications',
  '15 3 * * *',
  $$ delete from public.notifications where read_at < now() - interval '30 days' $$
);
