-- fine
create table ops.t (id uuid primary key);
