create schema ops;
create table ops.a (id bigint generated always as identity);
create table ops.b (id int);
