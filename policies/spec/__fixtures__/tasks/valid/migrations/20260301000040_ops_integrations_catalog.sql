create table ops.integrations_catalog (slug text primary key);
