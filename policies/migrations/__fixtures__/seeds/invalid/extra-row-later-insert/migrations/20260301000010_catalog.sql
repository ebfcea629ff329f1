create schema ops;
create table ops.integrations_catalog (slug text primary key, name text not null, category text not null, provider text not null, status text not null, baseline boolean not null);
insert into ops.integrations_catalog values
  ('supabase', 'Supabase', 'database', 'supabase', 'installed', true),
  ('grafana', 'Grafana', 'observability', 'grafana', 'available', false);
