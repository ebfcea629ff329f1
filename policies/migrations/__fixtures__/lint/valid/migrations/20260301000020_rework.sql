-- The table was created earlier in this change: reshaping it locks nobody.
alter table ops.items add column owner text not null;
alter table ops.items add column token uuid default gen_random_uuid();
alter table ops.items alter column owner type text;
alter table ops.items alter column label set not null;
alter table ops.items add constraint items_owner_fk foreign key (owner) references ops.owners (name);
alter table ops.items add constraint items_label_key unique (label);
drop index ops.items_label_idx;
alter table ops.items drop column label;
alter table ops.items rename column data to payload;
drop table ops.items;
