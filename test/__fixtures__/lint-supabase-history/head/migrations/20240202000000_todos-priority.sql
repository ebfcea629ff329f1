alter table public.todos add column priority int not null default 0;
alter table public.todos add column external_id uuid default gen_random_uuid();
alter table public.todos alter column task type varchar(500);
alter table public.todos add constraint todos_priority_range check (priority between 0 and 5);
