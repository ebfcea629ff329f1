-- Validated in a later file: only a SHARE UPDATE EXCLUSIVE lock while it scans.
alter table storage.objects validate constraint objects_owner_fk;
alter table storage.objects validate constraint objects_name_nn;
