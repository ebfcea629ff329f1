-- Seeds a row (é).
insert into ops.t (note) values ('ok');
insert into ops.t (note,  nope) values ('x', 1);
