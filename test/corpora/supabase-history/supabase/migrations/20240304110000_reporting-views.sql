create view public.project_stats with (security_invoker = on) as
select
  p.id as project_id,
  p.organization_id,
  count(t.id) filter (where t.status = 'done') as done,
  count(t.id) as total
from public.projects p
left join public.tasks t on t.project_id = p.id
group by p.id, p.organization_id;

grant select on public.project_stats to reporting_reader;
