create table ops.items (
  id bigint generated always as identity primary key,
  label text not null,
  data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index items_label_idx on ops.items (label);
