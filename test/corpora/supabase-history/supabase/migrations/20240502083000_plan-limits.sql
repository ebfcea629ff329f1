create or replace function public.organization_plan(org uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((select c.plan from billing.customers c where c.organization_id = org), 'free');
$$;

grant execute on function public.organization_plan(uuid) to authenticated;
