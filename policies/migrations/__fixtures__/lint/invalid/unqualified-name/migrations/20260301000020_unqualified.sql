-- runs lives in ops, which is not on the search_path
create policy runs_read on runs for select to authenticated using (true);
comment on column runs.id is 'The run.';
-- created in public while every table of the history is in ops
create table events (id uuid primary key);
set search_path to ops, public;
create table public.steps (id uuid primary key);
-- steps now exists in ops and in public: the path picks ops
insert into steps (id) values (gen_random_uuid());
