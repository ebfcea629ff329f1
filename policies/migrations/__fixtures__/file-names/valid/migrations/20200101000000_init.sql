-- Not the first file: the CLI applies an old _init.sql like any other.
create table app.things (id uuid primary key);
