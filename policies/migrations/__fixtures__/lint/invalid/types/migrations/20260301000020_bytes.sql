-- Names counted in bytes: 22 letters of two bytes each fit, 32 do not (64 bytes).
create table ops."éééééééééééééééééééééé" (id int);
create table ops."éééééééééééééééééééééééééééééééé" (id int);
