create table public.feature_flags (
  key text primary key,
  enabled boolean not null default false,
  description text
);

insert into public.feature_flags (key, enabled, description) values
  ('documents', true, 'Knowledge base'),
  ('time_tracking', false, 'Time entries on tasks');
