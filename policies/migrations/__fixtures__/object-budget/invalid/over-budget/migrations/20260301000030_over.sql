create sequence ops.s1;
create sequence ops.s2;
create table ops.g (id int);
