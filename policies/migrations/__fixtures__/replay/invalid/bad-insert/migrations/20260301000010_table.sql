create schema ops;
create table ops.t (id uuid primary key default gen_random_uuid(), note text);
