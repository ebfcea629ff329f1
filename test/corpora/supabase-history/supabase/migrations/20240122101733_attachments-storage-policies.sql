-- Files live under <organization id>/<task id>/<file name>.
create policy "members read org files" on storage.objects for select to authenticated
  using (
    bucket_id = 'attachments'
    and public.is_member_of(((storage.foldername(name))[1])::uuid)
  );

create policy "members upload org files" on storage.objects for insert to authenticated
  with check (
    bucket_id = 'attachments'
    and public.is_member_of(((storage.foldername(name))[1])::uuid)
    and storage.extension(name) in ('png', 'jpg', 'jpeg', 'pdf')
  );
