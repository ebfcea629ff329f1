-- Notify the Slack bridge when a task is done.
create extension if not exists pg_net with schema extensions;

create table private.webhook_settings (
  id int primary key default 1 check (id = 1),
  slack_url text not null
);

create or replace function private.notify_task_done()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  target text;
begin
  if new.status = 'done' and old.status is distinct from 'done' then
    select slack_url into target from private.webhook_settings where id = 1;
    if target is not null then
      perform net.http_post(
        url := target,
        body := jsonb_build_object('task', new.id, 'title', new.title),
        headers := '{"Content-Type": "application/json"}'::jsonb
      );
    end if;
  end if;
  return new;
end;
$$;

create trigger notify_task_done after update of status on public.tasks
  for each row execute function private.notify_task_done();
