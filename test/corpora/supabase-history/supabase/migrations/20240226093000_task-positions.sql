alter table public.tasks add column position double precision;
update public.tasks set position = id;
alter table public.tasks alter column position set default 0;
create index tasks_project_position_idx on public.tasks (project_id, position);
