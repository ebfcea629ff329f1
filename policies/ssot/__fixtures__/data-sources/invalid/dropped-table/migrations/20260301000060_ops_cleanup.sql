drop table if exists ops.do_ingest_runs;
