create or replace view public.tasks_due_soon with (security_invoker = true) as
select t.id, t.project_id, t.title, t.due_on, t.assignee_id
from public.tasks t
where t.status <> 'done' and t.due_on <= current_date + 7;
