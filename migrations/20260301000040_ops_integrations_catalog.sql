-- The integrations catalog and what is installed (plan tasks 6-7); rows equal ssot/integrations/catalog.yaml.
create table ops.integrations_catalog (
  slug text primary key,
  name text not null,
  category text not null,
  provider text not null,
  status text not null check (status in ('installed', 'available')),
  baseline boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table ops.integrations_catalog is 'Every integration the console offers; seeded from ssot/integrations/catalog.yaml.';

create table ops.integrations_installations (
  id uuid primary key default gen_random_uuid(),
  slug text not null references ops.integrations_catalog (slug),
  environment text not null check (environment in ('prod', 'stage', 'dev')),
  installed_at timestamptz not null default now(),
  config jsonb not null default '{}'::jsonb,
  unique (slug, environment)
);
comment on table ops.integrations_installations is 'Which integration is installed in which environment.';

alter table ops.integrations_catalog enable row level security;
alter table ops.integrations_installations enable row level security;
create policy integrations_catalog_read on ops.integrations_catalog for select to authenticated using (true);
create policy integrations_installations_read on ops.integrations_installations for select to authenticated using (true);
grant select on ops.integrations_catalog, ops.integrations_installations to authenticated;
grant all on ops.integrations_catalog, ops.integrations_installations to service_role;

insert into ops.integrations_catalog (slug, name, category, provider, status, baseline) values
  ('supabase', 'Supabase', 'database', 'supabase', 'installed', true),
  ('digitalocean', 'DigitalOcean', 'infrastructure', 'digitalocean', 'installed', true),
  ('mailgun', 'Mailgun', 'email', 'mailgun', 'installed', true),
  ('vercel', 'Vercel', 'hosting', 'vercel', 'installed', true),
  ('github', 'GitHub', 'source-control', 'github', 'installed', true),
  ('odoo', 'Odoo', 'erp', 'odoo', 'installed', true),
  ('grafana', 'Grafana', 'observability', 'grafana', 'available', false),
  ('sentry', 'Sentry', 'observability', 'sentry', 'available', false),
  ('slack', 'Slack', 'notifications', 'slack', 'available', false),
  ('cloudflare', 'Cloudflare', 'networking', 'cloudflare', 'available', false),
  ('stripe', 'Stripe', 'payments', 'stripe', 'available', false),
  ('openai', 'OpenAI', 'ai', 'openai', 'available', false);
