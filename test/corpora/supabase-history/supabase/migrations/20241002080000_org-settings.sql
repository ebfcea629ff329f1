alter table public.organizations add column settings jsonb not null default '{}'::jsonb;
alter table public.organizations add column logo_path text;

comment on column public.organizations.settings is 'UI preferences; never secrets.';
