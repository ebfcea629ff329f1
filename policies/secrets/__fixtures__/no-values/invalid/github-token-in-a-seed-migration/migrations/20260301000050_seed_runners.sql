-- Seed the runners the console lists.
insert into ops.runners (id, name, config)
values
  ('starters-ingest', 'Starters ingest', '{"repo": "vercel/examples", "token": "ghp_v5ddjBVJbZ2kCkZ4Wsch3NtWN4RnIfdVPpwL"}'::jsonb);
