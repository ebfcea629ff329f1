// The generated migration history of the migrations benches: a schema, then tables that each
// reference the one before, with a comment, an index, RLS and a policy.

function migration(i: number): string {
  return `-- Generated migration ${i}.
create table ops.bench_${i} (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  payload jsonb not null default '{}'::jsonb,
  parent_id uuid references ops.bench_${Math.max(0, i - 1)} (id),
  created_at timestamptz not null default now()
);
comment on table ops.bench_${i} is 'Bench table ${i}.';
create index bench_${i}_parent_id_idx on ops.bench_${i} (parent_id);
alter table ops.bench_${i} enable row level security;
create policy bench_${i}_read on ops.bench_${i} for select to authenticated using (true);
`;
}

/** A 14-digit UTC version, one second apart from March 2026 on. */
export function version(i: number): string {
  const t = new Date(Date.UTC(2026, 2, 1) + i * 1000);
  return t.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** `count` migration files by repository path, in replay order: the schema first, then `count - 1` tables. */
export function generatedMigrations(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  files[`migrations/${version(0)}_bench_schema.sql`] = 'create schema ops;\n';
  for (let i = 0; i < count - 1; i++) files[`migrations/${version(i + 1)}_bench_${i}.sql`] = migration(i);
  return files;
}

/** A file a pull request adds to `generatedMigrations(count)` (again with `count + 1` for a second): one more table, after the newest. */
export function addedMigration(count: number): [file: string, text: string] {
  return [`migrations/${version(count + 1)}_bench_added_${count}.sql`, migration(count - 1)];
}
