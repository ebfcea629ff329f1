-- A bulk import into the catalog table: 10,000 generated rows.
insert into ops.integrations_catalog (slug, name, category, provider, status, baseline)
select 'import-' || i, 'Import ' || i, 'imported', 'import', 'available', false
  from generate_series(1, 10000) as i;
