create table ops.c (id int);
create table ops.d (id int);
create table ops.e (id int);
create table ops.f (id int);
