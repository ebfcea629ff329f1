begin;
alter table public.teams add column description text;
commit;
