alter table public.tasks enable row level security;

create policy "Members can read tasks" on public.tasks for select to authenticated
  using (exists (select 1 from public.projects p where p.id = project_id and public.is_member_of(p.organization_id)));

create policy "Members can create tasks" on public.tasks for insert to authenticated
  with check (exists (select 1 from public.projects p where p.id = project_id and public.is_member_of(p.organization_id)));

create policy "Members can update tasks" on public.tasks for update to authenticated
  using (exists (select 1 from public.projects p where p.id = project_id and public.is_member_of(p.organization_id)));

create policy "Creators can delete tasks" on public.tasks for delete to authenticated
  using (created_by = (select auth.uid()));
