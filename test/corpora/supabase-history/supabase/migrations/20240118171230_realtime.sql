-- Live updates for the board.
alter publication supabase_realtime add table public.tasks;
alter publication supabase_realtime add table public.comments;
