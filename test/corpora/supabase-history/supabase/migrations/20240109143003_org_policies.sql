create policy "members read their organizations" on public.organizations
  for select to authenticated using (public.is_member_of(id));

create policy "anyone signed in creates an organization" on public.organizations
  for insert to authenticated with check (created_by = (select auth.uid()));

create policy "owners update their organization" on public.organizations
  for update to authenticated using (public.has_role(id, array['owner']::public.member_role[]));

create policy "members see co-members" on public.memberships
  for select to authenticated using (public.is_member_of(organization_id));

create policy "admins manage members" on public.memberships
  for all to authenticated
  using (public.has_role(organization_id, array['owner', 'admin']::public.member_role[]))
  with check (public.has_role(organization_id, array['owner', 'admin']::public.member_role[]));
