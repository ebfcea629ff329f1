create table public.a (id bigserial primary key);
create table public.b (id int primary key);
create sequence public.invoice_no;
