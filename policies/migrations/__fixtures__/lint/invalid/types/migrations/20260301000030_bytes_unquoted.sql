-- The same without quotes.
create table ops.üüüüüüüüüüüüüüüüüüüüüüüüüüüüüüüü (id int);
