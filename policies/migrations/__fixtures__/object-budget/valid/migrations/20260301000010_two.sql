create schema ops;
create table ops.a (id int);
create table ops.b (id int);
