create schema ops;
create table ops.events (id uuid primary key, stamp timestamptz not null, raw jsonb);
