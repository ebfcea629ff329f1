create or replace function public.notify_assignee()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.assignee_id is not null and new.assignee_id is distinct from old.assignee_id then
    insert into public.notifications (user_id, kind, payload)
    values (new.assignee_id, 'task_assigned', jsonb_build_object('task_id', new.id, 'title', new.title));
  end if;
  return new;
end;
$$;

create trigger notify_assignee after insert or update of assignee_id on public.tasks
  for each row execute function public.notify_assignee();
