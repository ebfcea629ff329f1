start transaction;
savepoint before_b;
create table public.b (id int primary key);
rollback to savepoint before_b;
release savepoint before_b;
end;
