create extension if not exists pg_net with schema extensions;
create or replace function public.notify_new_todo() returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform net.http_post(url := 'https://example.invalid/hooks/todo', body := jsonb_build_object('id', new.id));
  return new;
end;
$$;
create trigger todo_created after insert on public.todos for each row execute function public.notify_new_todo();
