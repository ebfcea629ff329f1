-- The table was created earlier in this change: reshaping it is not destructive.
alter table ops.items add column owner text not null;
alter table ops.items drop column label;
alter table ops.items rename column data to payload;
drop table ops.items;
