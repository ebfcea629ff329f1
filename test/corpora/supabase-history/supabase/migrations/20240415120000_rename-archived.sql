begin;

alter table public.projects rename column archived to is_archived;
create index projects_active_idx on public.projects (organization_id) where not is_archived;

commit;
