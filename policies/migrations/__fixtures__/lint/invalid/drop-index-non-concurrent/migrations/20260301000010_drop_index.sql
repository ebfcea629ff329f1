-- an index the platform made on one of its tables
drop index auth.users_instance_id_idx;
