create table ops.legacy (
  id serial primary key,
  code varchar(20) not null,
  doc json,
  seen timestamp
);
create table ops.a_name_that_goes_on_and_on_and_on_and_on_and_on_past_sixty_three_bytes (id int);
