create or replace function public.record_activity(org uuid, verb text, subject jsonb)
returns void
language plpgsql
as $$
begin
  insert into public.activity (organization_id, actor_id, verb, subject)
  values (org, auth.uid(), verb, subject);
end;
$$;
