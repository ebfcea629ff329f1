-- Local development data (supabase db reset).
insert into auth.users (id, email, raw_user_meta_data, created_at, updated_at, aud, role)
values ('00000000-0000-0000-0000-000000000001', 'ada@example.com', '{"full_name": "Ada"}', now(), now(), 'authenticated', 'authenticated');

insert into public.organizations (id, name, slug, created_by)
values ('10000000-0000-0000-0000-000000000001', 'Acme', 'acme', '00000000-0000-0000-0000-000000000001');

insert into public.memberships (organization_id, user_id, role)
values ('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001', 'owner');

insert into public.projects (organization_id, name) values ('10000000-0000-0000-0000-000000000001', 'Launch');
