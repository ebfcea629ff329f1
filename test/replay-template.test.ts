import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Repo, type GateOptions } from '../gates/core/repo.ts';
import { runGates, type GateResult } from '../gates/core/run.ts';
import { replay, replayTemplateName, type ReplayResult } from '../gates/db/replay.ts';
import { KEEP_TEMPLATES, pruneTemplates, TEMPLATE_BUILD_PREFIX, TEMPLATE_FORMAT, TEMPLATE_PREFIX, WORK_LOCK_KEY, workName } from '../gates/db/template.ts';
import { main } from '../gates/main.ts';
import { formatFinding } from '../gates/testing/fixtures.ts';
import policies from '../policies/migrations/index.ts';
import { DATABASE_URL, needsServer, serverUrl, uniqueName, withClient } from './helpers/pg.ts';

// A pull request's replay on a server copies a template of its base (the base's migrations
// replayed) and replays only the files it adds. These tests compare it with the replay of every
// file from the baseline on the same tree: the result, and every policy's verdict, must be equal.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const M = (n: number, name: string): string => `migrations/202603010000${String(n).padStart(2, '0')}_${name}.sql`;
const PLATFORM = 'version: 1\nlimits:\n  db_objects_max: 10000\n  db_objects_warn_ratio: 0.8\ndatabase:\n  postgres_major: 17\n';

/**
 * A base worth copying: seeded rows, a view, a function, a foreign key without an index, an
 * extension (a stub where the server lacks it), a comment, and a search_path the session keeps.
 * The unique suffix keeps each test's template its own.
 */
function baseFiles(tag: string): Record<string, string> {
  return {
    'ssot/platform.yaml': PLATFORM,
    [M(10, 'ops')]: `-- ${tag}
create schema ops;
create table ops.capabilities (id text primary key, title text not null, n bigint generated always as identity);
insert into ops.capabilities (id, title) values ('read', 'Read');
create extension if not exists pg_jsonschema;
`,
    [M(20, 'notes')]: `create table public.profiles (id uuid primary key, org text);
create table public.notes (
  id bigint generated always as identity primary key,
  profile_id uuid references public.profiles (id),
  body text
);
create index notes_body_idx on public.notes (body);
comment on table public.notes is 'Notes.';
create function public.touch() returns trigger language plpgsql as $$ begin return new; end $$;
create view public.note_list as select id, body from public.notes;
set search_path = ops, public, extensions;
`,
    [M(30, 'items')]: 'create table items (id int primary key);\nalter table public.profiles enable row level security;\n',
  };
}

/** What the pull request adds: it renames a base table, references it, seeds a row and drops a base view. */
const TAGS = `alter table public.notes rename to memos;
create table public.tags (id int primary key, memo_id bigint references public.memos (id));
insert into ops.capabilities (id, title) values ('write', 'Write');
create table more (id int);
`;
const ADDED = { [M(40, 'tags')]: TAGS, [M(50, 'index')]: 'create index tags_memo_idx on public.tags (memo_id);\ndrop view public.note_list;\n' };

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, stdio: 'pipe', encoding: 'utf8' });

/** A git repository whose commit tagged `base` holds `base`; `change` is written over it, uncommitted. */
function pullRequest(base: Record<string, string>, change: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-template-'));
  dirs.push(dir);
  const write = (files: Record<string, string>): void => {
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), text);
    }
  };
  git(dir, 'init', '-q', '-b', 'main');
  write(base);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  git(dir, 'tag', 'base');
  write(change);
  return dir;
}

function repo(root: string, options: Partial<GateOptions> = {}): Repo {
  return new Repo({ root, artifactsDir: path.join(root, 'artifacts'), ...(DATABASE_URL ? { databaseUrl: DATABASE_URL } : {}), ...options });
}

/**
 * The result without what names this run's database or says how it started, and with each index
 * signature's table named instead of numbered (object ids differ from one replay to the next).
 */
function comparable(r: ReplayResult | undefined): Omit<ReplayResult, 'database' | 'basis' | 'fromCache'> {
  if (!r) throw new Error('the replay gave no result: the tree has no migration');
  const { database: _d, basis: _b, fromCache: _c, ...rest } = r;
  const indexes = rest.catalog.indexes.map((i) => ({ ...i, signature: i.signature.replace(/^\d+ \|/, `${i.schema}.${i.table} |`) }));
  return { ...rest, catalog: { ...rest.catalog, indexes } };
}

/** The full replay of the tree (no base: from the baseline), and the pull request's. */
async function bothReplays(root: string): Promise<{ full: ReplayResult; pr: ReplayResult }> {
  const full = (await replay(repo(root))) as ReplayResult;
  expect(full.basis).toBeUndefined();
  const pr = (await replay(repo(root, { base: 'base' }))) as ReplayResult;
  return { full, pr };
}

function verdict(r: GateResult): string[] {
  return [...r.findings.map(formatFinding), ...r.policies.map((p) => `${p.id} ${p.status}${p.reason ? ` ${p.reason}` : ''}`)];
}

async function run(root: string, options: Partial<GateOptions>): Promise<GateResult> {
  const artifactsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-template-artifacts-'));
  dirs.push(artifactsDir);
  return runGates({ root, artifactsDir, policies, ...(DATABASE_URL ? { databaseUrl: DATABASE_URL } : {}), ...options });
}

/** A template's stored state as `keepTemplate` writes it, for a database the test makes itself. */
const fakeMeta = (key: string, usedAt: number): string =>
  JSON.stringify({
    format: TEMPLATE_FORMAT,
    key,
    start: 1,
    baselineCount: 0,
    bounds: [],
    session: [],
    objects: 0,
    sequences: [],
    prepared: { stubbed: [], stubObjects: [], roles: [], functions: [] },
    notices: [],
    seeded: [],
    origins: [],
    usedAt,
  });

async function databases(prefix: string): Promise<string[]> {
  const { rows } = await withClient(serverUrl(), (c) =>
    c.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1) order by 1', [prefix]),
  );
  return rows.map((r) => r.datname);
}

describe('replay from a template of the base', () => {
  it('copies the base and replays the new files: the same result and verdict as a replay from the baseline', async (ctx) => {
    needsServer(ctx, 'template databases (CREATE DATABASE ... TEMPLATE); PGlite has none');
    const root = pullRequest(baseFiles(uniqueName('t')), ADDED);
    const name = await replayTemplateName(repo(root, { base: 'base' }));
    expect(name).toMatch(new RegExp(`^${TEMPLATE_PREFIX}[0-9a-f]{40}$`));
    expect(await databases(name as string)).toEqual([]);
    const { full, pr } = await bothReplays(root);
    expect(full.failure).toBeUndefined();
    // Built by this run, kept for the next; two new files: a copy of it.
    const copied = {
      from: 'template',
      template: name,
      baseFiles: 3,
      via: 'copy',
      reason: 'the pull request adds 2 migrations; one is replayed on the working copy',
    };
    expect(pr.basis).toEqual({ ...copied, built: true });
    expect(comparable(pr)).toEqual(comparable(full));
    expect(await databases(name as string)).toEqual([name]);
    // The next run of the pull request copies it.
    const again = await replay(repo(root, { base: 'base' }));
    expect(again?.basis).toEqual({ ...copied, built: false });
    expect(comparable(again)).toEqual(comparable(full));
    // What the comparison covers: objects of base and new files, at their statements.
    expect(full.applied).toHaveLength(5);
    expect(full.origins.get('public.memos')).toEqual({ file: M(20, 'notes'), offset: expect.any(Number) as number });
    expect(full.origins.get('ops.more')?.file).toBe(M(40, 'tags'));
    expect(full.rows.get('ops.capabilities')).toEqual([
      { id: 'read', title: 'Read', n: '1' },
      { id: 'write', title: 'Write', n: '2' },
    ]);
    // Every policy's verdict, with the template and without.
    const withTemplate = verdict(await run(root, { base: 'base' }));
    expect(withTemplate).toEqual(verdict(await run(root, { base: 'base', replayTemplates: false })));
    expect(withTemplate.join('\n')).toContain('fk-no-index');
  }, 240_000);

  it('replays one new file on the working copy in a transaction rolled back: the same result, run after run', async (ctx) => {
    needsServer(ctx, 'template databases (CREATE DATABASE ... TEMPLATE); PGlite has none');
    const one = { [M(40, 'tags')]: TAGS };
    const root = pullRequest(baseFiles(uniqueName('t')), one);
    const name = (await replayTemplateName(repo(root, { base: 'base' }))) as string;
    const { full, pr } = await bothReplays(root);
    expect(full.failure).toBeUndefined();
    const rolledBack = { from: 'template', template: name, baseFiles: 3, via: 'rollback' };
    expect(pr.basis).toEqual({ ...rolledBack, built: true });
    expect(comparable(pr)).toEqual(comparable(full));
    // The rollback left the working copy as the base: its sequence too (the seeded row's identity).
    for (let i = 0; i < 2; i++) {
      const again = await replay(repo(root, { base: 'base' }));
      expect(again?.basis, `run ${i + 2}`).toEqual({ ...rolledBack, built: false });
      expect(comparable(again), `run ${i + 2}`).toEqual(comparable(full));
    }
    expect(full.rows.get('ops.capabilities')?.map((r) => r.n)).toEqual(['1', '2']);
    expect(await databases(workName(name))).toEqual([workName(name)]);
    const withTemplate = verdict(await run(root, { base: 'base' }));
    expect(withTemplate).toEqual(verdict(await run(root, { base: 'base', replayTemplates: false })));
    // A pull request that adds nothing to the migrations reads the base's catalog from it.
    const none = pullRequest(baseFiles(uniqueName('t')), { 'README.md': 'no migration\n' });
    const both = await bothReplays(none);
    expect(both.pr.basis).toMatchObject({ from: 'template', via: 'rollback' });
    expect(comparable(both.pr)).toEqual(comparable(both.full));
  }, 240_000);

  it('makes a copy when the working copy is busy or no longer the base, and replaces the one that is not', async (ctx) => {
    needsServer(ctx, 'template databases (CREATE DATABASE ... TEMPLATE); PGlite has none');
    const root = pullRequest(baseFiles(uniqueName('t')), { [M(40, 'tags')]: TAGS });
    const { full, pr } = await bothReplays(root);
    expect(pr.basis).toMatchObject({ via: 'rollback', built: true });
    const work = workName((await replayTemplateName(repo(root, { base: 'base' }))) as string);
    const url = new URL(serverUrl());
    url.pathname = `/${work}`;
    // Another run's turn: this one waits for it a while, then copies the template.
    await withClient(url.toString(), async (c) => {
      await c.query('select pg_advisory_lock($1)', [WORK_LOCK_KEY]);
      const busy = await replay(repo(root, { base: 'base' }));
      expect(busy?.basis).toMatchObject({ via: 'copy', reason: expect.stringMatching(/^its working copy is busy with another run/) as string });
      expect(comparable(busy)).toEqual(comparable(full));
    });
    // Something committed in it: not the base's state any more; it is dropped and made again.
    await withClient(url.toString(), (c) => c.query('create table public.leaked (id int)'));
    const stale = await replay(repo(root, { base: 'base' }));
    expect(stale?.basis).toMatchObject({
      via: 'copy',
      reason: expect.stringMatching(/^its working copy is not the base's state \(largest object id/) as string,
    });
    expect(comparable(stale)).toEqual(comparable(full));
    const fresh = await replay(repo(root, { base: 'base' }));
    expect(fresh?.basis).toMatchObject({ via: 'rollback', built: false });
    expect(comparable(fresh)).toEqual(comparable(full));
  }, 240_000);

  it('copies the template for one new file that sets something for its transaction only or has an on commit action', async (ctx) => {
    needsServer(ctx, 'template databases (CREATE DATABASE ... TEMPLATE); PGlite has none');
    const cases: Array<[string, string]> = [
      [
        "create type public.mood as enum ('ok', 'meh');\nset local search_path = '';\ncreate table public.moods (id int primary key, m public.mood);\n",
        'the new migration changes a setting for its transaction only',
      ],
      [
        'create temporary table scratch (id int) on commit drop;\ncreate table public.kept (id int primary key);\n',
        'the new migration has an `on commit` action',
      ],
    ];
    for (const [sql, reason] of cases) {
      const root = pullRequest(baseFiles(uniqueName('t')), { [M(40, 'local')]: sql });
      const { full, pr } = await bothReplays(root);
      expect(full.failure, reason).toBeUndefined();
      expect(pr.basis, reason).toMatchObject({ from: 'template', via: 'copy', reason });
      expect(comparable(pr), reason).toEqual(comparable(full));
    }
  }, 240_000);

  it("reports a new file's failure as the replay from the baseline does, on the working copy and on a copy", async (ctx) => {
    needsServer(ctx, 'template databases (CREATE DATABASE ... TEMPLATE); PGlite has none');
    const broken = { [M(40, 'broken')]: 'create table public.fine (id int primary key);\n\ninsert into public.nothing_here values (1);\n' };
    // A deferred foreign key fails at commit: on the working copy, where nothing commits, too.
    const deferred = {
      [M(40, 'deferred')]:
        'create table public.parent (id int primary key);\ncreate table public.child (parent_id int references public.parent (id) deferrable initially deferred);\ninsert into public.child values (1);\n',
    };
    const cases: Array<[string, Record<string, string>, string, string]> = [
      ['one file', broken, 'rollback', `${M(40, 'broken')}:3`],
      ['deferred', deferred, 'rollback', `${M(40, 'deferred')}:3`],
      ['two files', { ...broken, [M(50, 'later')]: 'create table public.later (id int primary key);\n' }, 'copy', `${M(40, 'broken')}:3`],
    ];
    for (const [what, change, via, at] of cases) {
      const root = pullRequest(baseFiles(uniqueName('t')), change);
      const { full, pr } = await bothReplays(root);
      expect(full.failure, what).toMatchObject({ file: at.slice(0, at.lastIndexOf(':')) });
      expect(pr.basis, what).toMatchObject({ from: 'template', built: true, via });
      expect(comparable(pr), what).toEqual(comparable(full));
      const withTemplate = verdict(await run(root, { base: 'base' }));
      expect(withTemplate, what).toEqual(verdict(await run(root, { base: 'base', replayTemplates: false })));
      expect(withTemplate.join('\n'), what).toContain(`migrations/catalog skipped the replay stopped at ${at}`);
    }
  }, 240_000);

  it('replays from the baseline when the pull request edits a base file, and says why', async (ctx) => {
    needsServer(ctx, 'template databases (CREATE DATABASE ... TEMPLATE); PGlite has none');
    const base = baseFiles(uniqueName('t'));
    const root = pullRequest(base, { ...ADDED, [M(30, 'items')]: `${base[M(30, 'items')] ?? ''}create table public.extra (id int);\n` });
    const { full, pr } = await bothReplays(root);
    const reason = `the pull request edits ${M(30, 'items')}, a migration of the base`;
    expect(pr.basis).toEqual({ from: 'baseline', reason });
    expect(comparable(pr)).toEqual(comparable(full));
    expect(await replayTemplateName(repo(root, { base: 'base' }))).toBeUndefined();
    // `gates check` says it on stderr.
    let stderr = '';
    const artifacts = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-template-artifacts-'));
    dirs.push(artifacts);
    const io = { cwd: root, env: { DATABASE_URL: serverUrl() }, isTTY: false, stdout: () => undefined, stderr: (s: string) => void (stderr += s) };
    await main(['check', '--base', 'base', '--only', 'migrations/replay', '--no-cache', '--artifacts', artifacts], io);
    expect(stderr).toContain(`gates: migrations replay: replayed every migration from the baseline, not from a template of the base: ${reason}\n`);
  }, 240_000);

  it('replays from the baseline when a new file sorts before the newest base file, or the base creates roles', async (ctx) => {
    needsServer(ctx, 'template databases (CREATE DATABASE ... TEMPLATE); PGlite has none');
    const early = pullRequest(baseFiles(uniqueName('t')), { [M(25, 'early')]: 'create table public.early (id int primary key);\n' });
    const { full, pr } = await bothReplays(early);
    expect(pr.basis).toEqual({ from: 'baseline', reason: `${M(25, 'early')} sorts before ${M(30, 'items')}, the newest migration of the base` });
    expect(comparable(pr)).toEqual(comparable(full));
    const role = uniqueName('tpl_reader');
    const roles = pullRequest({ ...baseFiles(uniqueName('t')), [M(35, 'role')]: `create role ${role} nologin;\n` }, ADDED);
    const r = await bothReplays(roles);
    expect(r.pr.basis).toEqual({
      from: 'baseline',
      reason: "the base's migrations create roles, which live in the server, not in a database a template can hold",
    });
    expect(comparable(r.pr)).toEqual(comparable(r.full));
  }, 240_000);

  it('keeps no template of a base that leaves a prepared statement or a LISTEN on the session', async (ctx) => {
    needsServer(ctx, 'template databases (CREATE DATABASE ... TEMPLATE); PGlite has none');
    const base = { ...baseFiles(uniqueName('t')), [M(35, 'session')]: 'prepare next_item as select 1;\nlisten item_events;\n' };
    const root = pullRequest(base, { [M(40, 'uses')]: 'create table public.kept (id int primary key);\nexecute next_item;\n' });
    const { full, pr } = await bothReplays(root);
    expect(full.failure).toBeUndefined();
    expect(pr.basis).toEqual({
      from: 'baseline',
      reason: "the base's migrations leave prepared statements, LISTEN channels on the session, which a copy of the database does not carry",
    });
    expect(comparable(pr)).toEqual(comparable(full));
    expect(await databases((await replayTemplateName(repo(root, { base: 'base' }))) as string)).toEqual([]);
  }, 240_000);

  it('never trusts a database of the template name that is not a complete template of that key: drops and rebuilds it', async (ctx) => {
    needsServer(ctx, 'template databases (CREATE DATABASE ... TEMPLATE); PGlite has none');
    const root = pullRequest(baseFiles(uniqueName('t')), ADDED);
    const name = (await replayTemplateName(repo(root, { base: 'base' }))) as string;
    const full = await replay(repo(root));
    // Half-built (still open to connections, no state), then one whose state names another key.
    const impostors = [
      `create database ${name}`,
      `create database ${name} allow_connections false; comment on database ${name} is '${fakeMeta('0'.repeat(64), Date.now())}'`,
    ];
    for (const sql of impostors) {
      await withClient(serverUrl(), async (c) => {
        for (const s of sql.split('; ')) await c.query(s);
      });
      const pr = await replay(repo(root, { base: 'base' }));
      expect(pr?.basis, sql).toMatchObject({ from: 'template', template: name, built: true, baseFiles: 3 });
      expect(comparable(pr), sql).toEqual(comparable(full));
      await withClient(serverUrl(), (c) => c.query(`drop database if exists ${name}`));
    }
  }, 240_000);

  it('keeps the most recently used templates and drops the rest, and build databases of runs that died', async (ctx) => {
    needsServer(ctx, 'template databases (CREATE DATABASE ... TEMPLATE); PGlite has none');
    const future = Date.now() + 1e9;
    const names = Array.from({ length: KEEP_TEMPLATES + 1 }, (_, i) => ({ name: `${TEMPLATE_PREFIX}${uniqueName('test')}`, usedAt: future + i }));
    const dead = `${TEMPLATE_BUILD_PREFIX}_${(Date.now() - 2 * 3600_000).toString(36)}_dead`;
    const young = `${TEMPLATE_BUILD_PREFIX}_${Date.now().toString(36)}_young`;
    await withClient(serverUrl(), async (c) => {
      for (const { name, usedAt } of names) {
        await c.query(`create database ${name} allow_connections false`);
        await c.query(`comment on database ${name} is '${fakeMeta(name, usedAt)}'`);
      }
      await c.query(`create database ${dead}`);
      await c.query(`create database ${young}`);
    });
    try {
      const dropped = await pruneTemplates(serverUrl());
      // Ours are the most recently used: all but the oldest are kept; the dead build goes, a young one stays.
      expect(dropped).toContain(names[0]?.name);
      expect(dropped).toContain(dead);
      expect(dropped).not.toContain(young);
      expect(await databases(TEMPLATE_PREFIX)).toEqual(
        names
          .slice(1)
          .map((n) => n.name)
          .sort(),
      );
    } finally {
      await withClient(serverUrl(), async (c) => {
        for (const name of [...names.map((n) => n.name), dead, young]) await c.query(`drop database if exists ${name}`);
      });
    }
  }, 240_000);

  it('keeps the replay from the baseline on PGlite, with or without a base', async () => {
    const root = pullRequest(baseFiles('pglite'), ADDED);
    const r = await replay(new Repo({ root, artifactsDir: path.join(root, 'artifacts'), base: 'base' }));
    expect(r?.engine).toBe('pglite');
    expect(r?.basis).toBeUndefined();
    expect(r?.failure).toBeUndefined();
    expect(await replayTemplateName(new Repo({ root, artifactsDir: path.join(root, 'artifacts'), base: 'base' }))).toBeUndefined();
  }, 240_000);
});
