select * from ops.missing;
