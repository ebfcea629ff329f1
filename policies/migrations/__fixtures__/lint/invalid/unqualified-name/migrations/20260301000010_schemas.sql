create schema ops;
create table ops.runs (id uuid primary key);
create table ops.steps (id uuid primary key, run_id uuid references ops.runs (id));
create table ops.logs (id uuid primary key);
