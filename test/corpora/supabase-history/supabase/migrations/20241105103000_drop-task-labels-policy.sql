drop policy if exists "members read task labels" on public.task_labels;

create policy "members read task labels" on public.task_labels for select to authenticated
  using (exists (select 1 from public.labels l where l.id = label_id and public.is_member_of(l.organization_id)));
