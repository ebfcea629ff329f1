-- A read-only role for the BI tool.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'reporting_reader') then
    create role reporting_reader nologin;
  end if;
end
$$;

grant usage on schema public to reporting_reader;
grant select on public.organizations, public.projects, public.tasks to reporting_reader;
