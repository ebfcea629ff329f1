-- One table in a private schema is no convention: a public table after it is fine unqualified.
create schema private;
create table private.secrets (id uuid primary key);
create table notes (id uuid primary key, secret uuid references private.secrets (id));
insert into notes (id) values (gen_random_uuid());
