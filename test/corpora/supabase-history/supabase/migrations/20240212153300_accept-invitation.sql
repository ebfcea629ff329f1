create or replace function public.accept_invitation(invite_token text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  inv public.invitations;
begin
  select * into inv from public.invitations
   where token = invite_token and accepted_at is null
   for update;
  if not found then
    raise exception 'invitation not found or already used';
  end if;
  if inv.email <> (select auth.email()) then
    raise exception 'this invitation is for another address';
  end if;
  insert into public.memberships (organization_id, user_id, role)
  values (inv.organization_id, (select auth.uid()), inv.role)
  on conflict do nothing;
  update public.invitations set accepted_at = now() where id = inv.id;
  return inv.organization_id;
end;
$$;

revoke execute on function public.accept_invitation(text) from anon;
