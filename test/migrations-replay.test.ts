import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GateOptions } from '../gates/core/repo.ts';
import { loadSqlParser, parseSql } from '../gates/core/sql.ts';
import { replayMigrations, type ReplayInput } from '../gates/db/replay.ts';
import { runGates } from '../gates/core/run.ts';
import { formatLegacyFinding as formatFinding, runPolicyOn } from '../gates/testing/fixtures.ts';
import policies from '../policies/migrations/index.ts';
import catalog from '../policies/migrations/catalog.ts';
import objectBudget from '../policies/migrations/object-budget.ts';
import replayPolicy from '../policies/migrations/replay.ts';
import syntax from '../policies/migrations/syntax.ts';
import { DATABASE_URL, leftoverReplayDatabases, needsServer, serverUrl } from './helpers/pg.ts';
import { useTrees } from './helpers/tree.ts';

const tree = useTrees();

async function inputs(files: Record<string, string>): Promise<ReplayInput[]> {
  await loadSqlParser();
  return Object.entries(files).map(([file, text]) => {
    const p = parseSql(text);
    if (!p.ok) throw new Error(`${file}: ${p.message}`);
    return { file, statements: p.statements };
  });
}

const ROOT = path.resolve(import.meta.dirname, '..');

describe('migrations/syntax', () => {
  it('reports a syntax error at its line and character column, after a multi-byte character', async () => {
    const dir = tree({ 'migrations/20260301000010_x.sql': "-- ü\ncreate table ops.t (\n  note text default 'é→' chek (true)\n);\n" });
    expect((await runPolicyOn(syntax, dir)).lines).toEqual([
      'migrations/20260301000010_x.sql:3:26 error Postgres syntax error: syntax error at or near "chek"; the migration would fail on the database — fix the statement [migrations/syntax]',
    ]);
  });
});

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
    const withMigration = tree({ 'migrations/20260301000010_a.sql': 'select 1;\n' });
    const { lines, internalErrors } = await runPolicyOn(replayPolicy, withMigration, unreachable);
    expect(internalErrors).toBe(0);
    expect(lines).toEqual([
      'migrations/20260301000010_a.sql:1:1 error could not open a replay database on the Postgres of DATABASE_URL: connect ECONNREFUSED 127.0.0.1:1 — set DATABASE_URL to a reachable server (or unset it for PGlite) [migrations/replay]',
    ]);
  });
});

describe.each([
  ['pglite', {}],
  ['postgres', { databaseUrl: DATABASE_URL }],
] as Array<[string, Partial<GateOptions>]>)('replay on %s', (engine, options) => {
  beforeEach((ctx) => {
    if (engine === 'postgres') needsServer(ctx, 'the replay on a real server; the pglite cases cover the embedded engine');
  });

  it("replays the repository's own migrations with no finding", async () => {
    // One run, so the policies share one replay as they do in the CLI.
    const artifactsDir = tree({});
    const r = await runGates({ root: ROOT, artifactsDir, policies, ...options });
    expect(r.internalErrors).toBe(0);
    expect(r.findings.map(formatFinding)).toEqual([]);
    expect(r.policies.every((p) => p.status === 'ran')).toBe(true);
  });

  it('reports a table created without RLS at its CREATE TABLE line', async () => {
    const dir = tree({
      'migrations/20260301000010_schema.sql': 'create schema ops;\n',
      'migrations/20260301000020_table.sql': '-- no RLS below\n\ncreate table ops.open_table (\n  id uuid primary key\n);\n',
    });
    expect((await runPolicyOn(catalog, dir, options)).lines).toEqual([
      'migrations/20260301000020_table.sql:3:1 error rls-disabled: table ops.open_table has row level security disabled, so the API roles reach every row; add `alter table ops.open_table enable row level security;` and policies in this migration [migrations/catalog]',
    ]);
  });

  it('reports the failing statement with SQLSTATE, rolls the file back and stops', async () => {
    const files = {
      'migrations/20260301000010_a.sql': 'create schema ops;\n',
      'migrations/20260301000020_b.sql': 'create table ops.t (id int);\ninsert into ops.t values (1);\nselect 1 / 0;\n',
      'migrations/20260301000030_c.sql': 'create table ops.u (id int);\n',
    };
    const r = await replayMigrations(await inputs(files), options);
    expect(r.applied).toEqual(['migrations/20260301000010_a.sql']);
    expect(r.failure).toMatchObject({ file: 'migrations/20260301000020_b.sql', code: '22012', message: 'division by zero' });
    expect(r.failure?.offset).toBe(Buffer.byteLength('create table ops.t (id int);\ninsert into ops.t values (1);\n'));
    const { lines } = await runPolicyOn(replayPolicy, tree(files), options);
    expect(lines).toEqual([
      `migrations/20260301000020_b.sql:3:1 error migration fails on ${engine === 'pglite' ? 'PGlite' : 'Postgres'}: division by zero (SQLSTATE 22012); the file is rolled back and later migrations are not replayed — fix this statement [migrations/replay]`,
    ]);
  });

  it('stops a statement that hangs with the timeout and reports it', async () => {
    const hang = 'select 1;\ndo $$ begin loop end loop; end $$;\nselect 2;\n';
    const r = await replayMigrations(await inputs({ 'migrations/20260301000010_hang.sql': hang }), { ...options, statementTimeoutMs: 1500 });
    expect(r.failure).toMatchObject({ code: '57014', timedOut: true, offset: 10 });
    expect(r.failure?.message).toMatch(/^statement ran longer than the 1.5 s replay timeout and was cancelled/);
  });

  it('warns at 80 % of the object budget and fails past it', async () => {
    const platform = (max: number) => `version: 1\nlimits:\n  db_objects_max: ${max}\n  db_objects_warn_ratio: 0.8\n`;
    const files = {
      'migrations/20260301000010_a.sql': 'create schema ops;\ncreate table ops.a (id bigint generated always as identity);\n',
      'migrations/20260301000020_b.sql': 'create table ops.b (id int);\ncreate table ops.c (id int);\n',
    };
    expect((await runPolicyOn(objectBudget, tree({ ...files, 'ssot/platform.yaml': platform(5) }), options)).lines).toEqual([
      'migrations/20260301000020_b.sql:1:1 warning after this migration the database holds 4 tables and sequences (4 after all), 80 % or more of the budget of 5 (ssot/platform.yaml); plan to consolidate before the limit fails the gate [migrations/object-budget]',
    ]);
    expect((await runPolicyOn(objectBudget, tree({ ...files, 'ssot/platform.yaml': platform(3) }), options)).lines).toEqual([
      'migrations/20260301000020_b.sql:1:1 error after this migration the database holds 4 tables and sequences (4 after all), over the budget of 3 (ssot/platform.yaml limits.db_objects_max, Odoo.sh parity); merge tables or drop unused ones [migrations/object-budget]',
    ]);
  });
});

describe('replay on postgres only', () => {
  beforeEach((ctx) => needsServer(ctx, "Postgres's lock table and throwaway databases"));

  it('fails the budget with migrations that create 10,001 tables (limit 10,000)', async () => {
    // Ten files of 1,000 tables, then one: a single transaction of 10,001 CREATE TABLEs outgrows
    // Postgres's default lock table (max_locks_per_transaction).
    const files: Record<string, string> = { 'migrations/20260301000000_bulk.sql': 'create schema bulk;\n' };
    for (let f = 0; f <= 10; f++) {
      const n = f === 10 ? 1 : 1000;
      const sql = Array.from({ length: n }, (_, i) => `create table bulk.t${f * 1000 + i} (id int);`).join('\n');
      files[`migrations/202603010001${String(f).padStart(2, '0')}_bulk.sql`] = `${sql}\n`;
    }
    files['ssot/platform.yaml'] = fs.readFileSync(path.join(ROOT, 'ssot/platform.yaml'), 'utf8');
    expect((await runPolicyOn(objectBudget, tree(files), { databaseUrl: serverUrl() })).lines).toEqual([
      'migrations/20260301000110_bulk.sql:1:1 error after this migration the database holds 10001 tables and sequences (10001 after all), over the budget of 10000 (ssot/platform.yaml limits.db_objects_max, Odoo.sh parity); merge tables or drop unused ones [migrations/object-budget]',
    ]);
  }, 180_000);

  it('drops its throwaway databases, also after a failure', async () => {
    const before = await leftoverReplayDatabases();
    await replayMigrations(await inputs({ 'migrations/20260301000010_bad.sql': 'select * from nowhere;\n' }), { databaseUrl: serverUrl() });
    expect(await leftoverReplayDatabases()).toEqual(before);
  });
});
