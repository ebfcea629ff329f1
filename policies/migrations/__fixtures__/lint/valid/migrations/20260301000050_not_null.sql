-- A valid check proves the column has no null: SET NOT NULL skips the scan.
alter table storage.objects alter column name set not null;
