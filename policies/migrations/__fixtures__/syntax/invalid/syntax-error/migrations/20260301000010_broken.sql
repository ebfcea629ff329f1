-- a table
create table ops.t (
  id uuid primary key,
  note text default 'é' chek (true)
);
