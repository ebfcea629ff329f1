-- A row made from another row: no literal names its slug.
insert into ops.integrations_catalog (slug, name, category, provider, status, baseline)
select 'vercel', 'Vercel', category, 'vercel', status, false
  from ops.integrations_catalog
 where slug = 'grafana';
