begin;
create table public.a (id int primary key);
commit;
select 1/0;
