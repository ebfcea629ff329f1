import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GateOptions } from '../gates/core/repo.ts';
import { runGates } from '../gates/core/run.ts';
import { loadSqlParser, parseSql } from '../gates/core/sql.ts';
import { replayMigrations, type ReplayInput } from '../gates/db/replay.ts';
import { formatFinding, runPolicyOn } from '../gates/testing/fixtures.ts';
import catalog from '../policies/migrations/catalog.ts';
import policies from '../policies/migrations/index.ts';
import objectBudget from '../policies/migrations/object-budget.ts';
import replayPolicy from '../policies/migrations/replay.ts';
import { DATABASE_URL, leftoverReplayDatabases, needsServer, serverUrl, uniqueName } from './helpers/pg.ts';
import { useTrees } from './helpers/tree.ts';

const tree = useTrees();
/** The server's Postgres major, read once (the local one runs 15, CI Supabase's 17). */
let SERVER_MAJOR = 0;
if (DATABASE_URL) {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  SERVER_MAJOR = Math.floor(Number((await c.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]?.v) / 10000);
  await c.end();
}
const ROOT = path.resolve(import.meta.dirname, '..');
const M = (n: number, name = 'm'): string => `migrations/202603010000${String(n).padStart(2, '0')}_${name}.sql`;
/** A platform file whose target major equals the engine's, so no engine-major warning is expected. */
const platform = (major: number, extra = ''): string =>
  `version: 1\nlimits:\n  db_objects_max: 10000\n  db_objects_warn_ratio: 0.8\ndatabase:\n  postgres_major: ${major}\n${extra}`;

async function inputs(files: Record<string, string>): Promise<ReplayInput[]> {
  await loadSqlParser();
  return Object.entries(files).map(([file, text]) => {
    const p = parseSql(text);
    if (!p.ok) throw new Error(`${file}: ${p.message}`);
    return { file, statements: p.statements };
  });
}

async function runAll(root: string, options: Partial<GateOptions>) {
  const artifactsDir = tree({});
  return runGates({ root, artifactsDir, policies, ...options });
}

describe('replay with no migrations', () => {
  it('returns nothing without starting a database', async () => {
    const dir = tree({ 'ssot/platform.yaml': 'version: 1\nlimits:\n  db_objects_max: 1\n  db_objects_warn_ratio: 0.8\n' });
    // Nothing listens on port 1: a policy that tried to open the database would crash.
    const unreachable = { databaseUrl: 'postgres://nobody@127.0.0.1:1/none' };
    for (const p of policies) {
      const { lines, internalErrors } = await runPolicyOn(p, dir, unreachable);
      expect(internalErrors, p.id).toBe(0);
      expect(lines, p.id).toEqual([]);
    }
    // The same tree with one migration does reach for the database, and says it cannot.
    const withMigration = tree({ [M(10, 'a')]: 'select 1;\n' });
    const { caseLines: lines, internalErrors } = await runPolicyOn(replayPolicy, withMigration, unreachable);
    expect(internalErrors).toBe(0);
    expect(lines).toEqual([
      `${M(10, 'a')}:1:1-1:10 error no-database {"message":"could not open a replay database on the Postgres of DATABASE_URL: connect ECONNREFUSED 127.0.0.1:1"}`,
    ]);
  });
});

describe.each([
  ['pglite', {}, 18],
  ['postgres', { databaseUrl: DATABASE_URL }, SERVER_MAJOR],
] as Array<[string, Partial<GateOptions>, number]>)('replay on %s', (engine, options, major) => {
  const name = engine === 'pglite' ? 'PGlite' : 'Postgres';
  beforeEach((ctx) => {
    if (engine === 'postgres') needsServer(ctx, 'the replay on a real server; the pglite cases cover the embedded engine');
  });

  it("replays the repository's own migrations; the only finding is the engine-major warning", async () => {
    const r = await runAll(ROOT, options);
    expect(r.internalErrors).toBe(0);
    const line =
      fs
        .readFileSync(path.join(ROOT, 'ssot/platform.yaml'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('postgres_major:')) + 1;
    // On an engine of the target major (CI's supabase/postgres:17) there is nothing to warn about.
    expect(r.findings.map(formatFinding)).toEqual(
      major === 17 ? [] : [`ssot/platform.yaml:${line}:19-${line}:21 warning engine-major {"engine":${major},"name":"${name}","target":17}`],
    );
    expect(r.policies.every((p) => p.status === 'ran')).toBe(true);
  });

  it('has the Supabase platform: auth, storage, extensions on the search path, roles, realtime, vault, net, supabase_functions', async () => {
    const files = {
      'ssot/platform.yaml': platform(major),
      [M(10, 'profiles')]: `create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  handle text unique default encode(gen_random_bytes(6), 'hex'),
  ref uuid not null default uuid_generate_v4()
);
alter table public.profiles enable row level security;
create policy "own profile" on public.profiles for all to authenticated
  using ((select auth.uid()) = id) with check ((select auth.uid()) = id);
create policy "admins" on public.profiles for select to authenticated
  using (auth.jwt() ->> 'role' = 'admin' or auth.role() = 'service_role' or auth.email() like '%@example.com');
`,
      [M(20, 'storage')]: `insert into storage.buckets (id, name, public) values ('avatars', 'avatars', false);
create policy "own folder" on storage.objects for insert to authenticated
  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text and storage.extension(name) = 'png');
`,
      [M(30, 'realtime_vault_net')]: `alter publication supabase_realtime add table public.profiles;
select vault.create_secret('s3cr3t', 'webhook_key');
create function public.notify() returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform net.http_post(url := 'https://example.com/hook', body := jsonb_build_object('id', new.id));
  return new;
end $$;
create trigger profiles_notify after insert on public.profiles for each row execute function public.notify();
create trigger profiles_hook after update on public.profiles for each row
  execute function supabase_functions.http_request('https://example.com/h', 'POST', '{}', '{}', '1000');
grant select on public.profiles to anon, authenticated, service_role, authenticator, supabase_admin, supabase_functions_admin, supabase_read_only_user;
alter function public.notify() owner to postgres;
`,
    };
    const r = await runAll(tree(files), options);
    expect(r.findings.map(formatFinding)).toEqual([]);
    expect(r.policies.map((p) => `${p.id} ${p.status}`)).not.toContain('migrations/catalog skipped');
  });

  it('creates pgcrypto in extensions for real, and pg_trgm in another schema without linting its functions', async () => {
    const files = {
      'ssot/platform.yaml': platform(major),
      [M(10, 'ext')]:
        "create extension if not exists pgcrypto with schema extensions;\ncreate schema kit;\ncreate extension pg_trgm schema kit;\nselect kit.similarity('a', 'b'), extensions.crypt('x', extensions.gen_salt('bf'));\n",
    };
    const r = await runAll(tree(files), options);
    expect(r.findings.map(formatFinding)).toEqual([]);
  });

  it("replays a file's own begin/commit as one transaction and reports the statement that failed", async () => {
    const files = { 'ssot/platform.yaml': platform(major), [M(10, 'tx')]: 'begin;\ncreate table public.a(id int primary key);\ncommit;\nselect 1/0;\n' };
    expect((await runPolicyOn(replayPolicy, tree(files), options)).caseLines).toEqual([
      `${M(10, 'tx')}:4:1-4:1 error fails {"engine":"${name} ${major}","message":"division by zero","sqlstate":" (SQLSTATE 22012)"}`,
    ]);
  });

  it('skips every policy that needs the replay when it fails, with the file and line', async () => {
    const files = {
      'ssot/platform.yaml': platform(major),
      'ssot/database/contract.yaml': 'version: 1\ntables:\n  public.t:\n    columns:\n      id: integer\n',
      [M(10, 'a')]: 'create table public.t (id int primary key);\n\nselect * from nowhere;\n',
    };
    const r = await runAll(tree(files), options);
    const status = Object.fromEntries(r.policies.map((p) => [p.id, p.reason ? `${p.status}: ${p.reason}` : p.status]));
    const why = `skipped: the replay stopped at ${M(10, 'a')}:3 (relation "nowhere" does not exist; see migrations/replay), so the schema after all migrations is unknown`;
    expect(status['migrations/catalog']).toBe(why);
    expect(status['migrations/db-contract']).toBe(why);
    expect(status['migrations/replay']).toBe('ran');
    // The budget does not need the replay: it counts from the parse.
    expect(status['migrations/object-budget']).toBe('ran');
  });

  it('grants only to roles of the platform or of the migrations; a role the server has is no excuse', async () => {
    const files = {
      'ssot/platform.yaml': platform(major),
      [M(10, 'role')]: 'create role app_reader nologin;\ngrant usage on schema public to app_reader;\ngrant app_reader to authenticated;\n',
      [M(20, 'grant')]: 'grant usage on schema public to postgres_exporter_x;\n',
    };
    expect((await runPolicyOn(replayPolicy, tree(files), options)).caseLines).toEqual([
      `${M(20, 'grant')}:1:33-1:33 error fails {"engine":"${name} ${major}","message":"role \\"postgres_exporter_x\\" does not exist on the platform (neither a Supabase role nor one an earlier migration creates); create it in a migration first, or grant to a platform role","sqlstate":" (SQLSTATE 42704)"}`,
    ]);
  });

  it('fails default uuidv7() and virtual generated columns when the platform is Postgres 17', async () => {
    const uuid = { [M(10, 'uuid')]: 'create table public.t (\n  id uuid primary key default uuidv7()\n);\n' };
    const virtual = { [M(10, 'virtual')]: 'create table public.t (\n  n int,\n  d int generated always as (n * 2) virtual\n);\n' };
    const u = (await runPolicyOn(replayPolicy, tree(uuid), options)).caseLines.filter((l) => l.includes(' error '));
    expect(u).toHaveLength(1);
    expect(u[0]).toMatch(new RegExp(`^${M(10, 'uuid')}:2:31-2:31 error fails `));
    expect(u[0]).toMatch(/function uuidv7\(\) does not exist/);
    const v = (await runPolicyOn(replayPolicy, tree(virtual), options)).caseLines;
    // Refused by the parser of Postgres 17, before any database is opened.
    expect(v).toEqual([
      `${M(10, 'virtual')}:3:37-3:37 error fails {"engine":"${name}","message":"syntax error at or near \\"virtual\\" with the grammar of Postgres 17, the target platform (ssot/platform.yaml database.postgres_major); the statement needs a newer Postgres","sqlstate":" (SQLSTATE 42601)"}`,
    ]);
  });

  it('applies RLS lints to exposed schemas only, at advisor levels', async () => {
    const files = {
      'ssot/platform.yaml': platform(major),
      [M(10, 'schema')]: `create schema internal;
revoke all on schema internal from public;
create table internal.jobs (id bigint generated always as identity primary key);
create table public.open_table (
  id uuid primary key
);
create table public.service_only (id int primary key);
alter table public.service_only enable row level security;
`,
    };
    expect((await runPolicyOn(catalog, tree(files), options)).caseLines).toEqual([
      `${M(10, 'schema')}:4:1-4:1 error rls-disabled {"object":"public.open_table"}`,
      `${M(10, 'schema')}:7:1-7:1 notice rls-no-policy {"object":"public.service_only"}`,
    ]);
  });

  it('reports the failing statement with SQLSTATE, rolls the file back and stops', async () => {
    const files = {
      [M(10, 'a')]: 'create schema ops;\n',
      [M(20, 'b')]: 'create table ops.t (id int);\ninsert into ops.t values (1);\nselect 1 / 0;\n',
      [M(30, 'c')]: 'create table ops.u (id int);\n',
    };
    const r = await replayMigrations(await inputs(files), options);
    expect(r.applied).toEqual([M(10, 'a')]);
    expect(r.failure).toMatchObject({ file: M(20, 'b'), code: '22012', message: 'division by zero' });
    expect(r.failure?.offset).toBe(Buffer.byteLength('create table ops.t (id int);\ninsert into ops.t values (1);\n'));
  });

  it('stops a statement that hangs with the timeout and reports it', async () => {
    const hang = 'select 1;\ndo $$ begin loop end loop; end $$;\nselect 2;\n';
    const r = await replayMigrations(await inputs({ [M(10, 'hang')]: hang }), { ...options, statementTimeoutMs: 1500 });
    expect(r.failure).toMatchObject({ code: '57014', timedOut: true, offset: 10 });
    expect(r.failure?.message).toMatch(/^statement ran longer than the 1.5 s replay timeout and was cancelled/);
  });

  it('warns at 80 % of the object budget and fails past it', async () => {
    const budget = (max: number, ratio = 0.8) => `version: 1\nlimits:\n  db_objects_max: ${max}\n  db_objects_warn_ratio: ${ratio}\n`;
    const files = {
      [M(10, 'a')]: 'create schema ops;\ncreate table ops.a (id bigint generated always as identity);\n',
      [M(20, 'b')]: 'create table ops.b (id int);\ncreate table ops.c (id int);\n',
    };
    // The baseline's own tables and sequences (auth, storage, vault, net, ...) count too.
    const r = await replayMigrations(await inputs(files), options);
    const total = r.objectCounts.at(-1)?.count ?? 0;
    const before = r.objectCounts[0]?.count ?? 0;
    expect(total - before).toBe(2);
    // A ratio that puts the warning line exactly at the total: only the second file crosses it.
    const ratio = (total - 0.5) / (total + 1);
    expect((await runPolicyOn(objectBudget, tree({ ...files, 'ssot/platform.yaml': budget(total + 1, ratio) }), options)).caseLines).toEqual([
      `${M(20, 'b')}:1:1-1:29 warning near {"count":${total},"final":${total},"how":"","max":${total + 1},"percent":${Math.round(ratio * 100)}}`,
    ]);
    expect((await runPolicyOn(objectBudget, tree({ ...files, 'ssot/platform.yaml': budget(total - 1) }), options)).caseLines).toEqual([
      `${M(20, 'b')}:1:1-1:29 error over {"count":${total},"final":${total},"how":"","max":${total - 1},"percent":80}`,
    ]);
  });
});

describe('replay on postgres only', () => {
  beforeEach((ctx) => needsServer(ctx, "Postgres's lock table, cluster-wide roles and throwaway databases"));

  it('keeps the budget finding when 10,001 tables in one file exhaust the lock table', async () => {
    const sql = Array.from({ length: 10_001 }, (_, i) => `create table public.t${i} (id int);`).join('\n');
    const files = {
      [M(10, 'bulk')]: `${sql}\n`,
      'ssot/platform.yaml': fs.readFileSync(path.join(ROOT, 'ssot/platform.yaml'), 'utf8'),
    };
    const r = await runAll(tree(files), { databaseUrl: serverUrl() });
    // With the default max_locks_per_transaction (64) the server runs out of lock slots; the
    // budget then counts from the parse. A server configured for more finishes the replay and the
    // budget counts from the catalog: either way the finding is there.
    const failed = r.findings.find((f) => f.policy === 'migrations/replay' && f.severity === 'error');
    const how = failed ? `, counted from the migrations' statements because the replay stopped at ${M(10, 'bulk')}:${failed.line}` : '';
    if (failed) expect(failed.message).toMatch(/out of shared memory/);
    const budget = r.findings.filter((f) => f.policy === 'migrations/object-budget').map(formatFinding);
    const count = failed ? 10001 : Number(/"count":(\d+)/.exec(budget[0] ?? '')?.[1]);
    expect(count).toBeGreaterThanOrEqual(10001);
    expect(budget).toEqual([`${M(10, 'bulk')}:1:1-1:33 error over {"count":${count},"final":${count},"how":"${how}","max":10000,"percent":80}`]);
  }, 300_000);

  it('replays a history that creates a role twice in a row on the same server, both clean, and leaves no role behind', async () => {
    const role = uniqueName('app_reader');
    const files = {
      [M(10, 'role')]: `create role ${role} nologin;\ngrant usage on schema public to ${role};\n`,
      [M(20, 'do_role')]:
        `do $$ begin\n  if not exists (select from pg_roles where rolname = '${role}_2') then create role ${role}_2 nologin; end if;\nend $$;\ngrant ${role} to ${role}_2;\n`,
    };
    for (let i = 0; i < 2; i++) {
      const r = await replayMigrations(await inputs(files), { databaseUrl: serverUrl() });
      expect(r.failure, `run ${i + 1}`).toBeUndefined();
    }
    const c = new pg.Client({ connectionString: serverUrl() });
    await c.connect();
    try {
      expect((await c.query('select rolname from pg_roles where rolname like $1', [`${role}%`])).rows).toEqual([]);
    } finally {
      await c.end();
    }
  });

  it('drops its throwaway databases, also after a failure', async () => {
    const r = await replayMigrations(await inputs({ [M(10, 'bad')]: 'select * from nowhere;\n' }), { databaseUrl: serverUrl() });
    expect(r.failure?.code).toBe('42P01');
    expect(r.database).toMatch(/^gates_replay_/);
    // The server is shared: other runs' databases come and go meanwhile; ours is gone.
    expect(await leftoverReplayDatabases()).not.toContain(r.database);
  });
});
