import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ENGINE_DIR } from '../core/artifacts.ts';
import { blobId } from '../core/git-blob.ts';
import type { RepoContext } from '../core/repo.ts';
import { copyTemplate, quoteIdent, toDbError, type Db } from './engine.ts';
import { folderEntries, MIGRATIONS_DIR, migrationsOf, type MigrationFile } from './migrations.ts';

/**
 * Replay templates: on a Postgres server, the database a pull request's base migrations replayed
 * into is kept as a template, and the pull request's replay copies it (`create database ...
 * template`, which copies files, object ids included) and replays only the files the pull request
 * adds. The template's name carries a hash of its key (the baseline, every base migration's path
 * and content, the target platform, the engine and this format); what the replay needs besides
 * the database (where the baseline ended, the largest object id after each base file, the
 * session settings the base left) is stored as the template database's comment, with the full
 * key. A template is built under a temporary name and renamed when complete, so a half-built one
 * is never found; one whose stored key or format does not match is dropped, never used.
 */

/** Bump when what a template holds, or its comment, changes. */
export const TEMPLATE_FORMAT = 1;
/** A complete template: `gates_tpl_<40 hex of the key>`. */
export const TEMPLATE_PREFIX = 'gates_tpl_';
/** A template being built (`gates_tplbuild_<time>_<random>`); renamed when complete. */
export const TEMPLATE_BUILD_PREFIX = 'gates_tplbuild';
/**
 * The working copy of a template, `gates_tplwork_<the template's hash>`: made once, it takes the
 * replay of a pull request that adds one file, in one transaction rolled back at the end, so it
 * stays the base's state and no copy is made per run.
 */
export const TEMPLATE_WORK_PREFIX = 'gates_tplwork_';
/** Templates kept on a server: the most recently used; the others are dropped after a build. */
export const KEEP_TEMPLATES = 4;
/** A build database older than this was left by a run that died: dropped after a build. */
const STALE_BUILD_MS = 60 * 60 * 1000;
/** A template's last use is written back at most this often. */
const TOUCH_EVERY_MS = 60 * 1000;

/** What a replay that copies the template needs besides the database. */
export interface TemplateState {
  /** The largest object id after the baseline: the migrations' objects have larger ones. */
  start: number;
  /** Tables and sequences the baseline created (the object budget counts them). */
  baselineCount: number;
  /** Each base file, in replay order, with the largest object id after it. */
  bounds: Array<[file: string, upto: number]>;
  /** Settings the base's migrations left on the session (SET without LOCAL, SET ROLE), set again on the copy's session. */
  session: Array<[name: string, value: string]>;
  /** Rows of pg_class, pg_proc, pg_constraint, pg_type and pg_namespace after the base: a working copy with other counts is not the base's state. */
  objects: number;
  /** Each sequence after the base: its id and last value (null when never called). A rollback leaves sequences advanced: a working copy resets them. */
  sequences: Array<[oid: number, last: string | null]>;
  /** What preparing the base's statements left for later files: extensions replayed as stubs and their objects, known roles and functions. */
  prepared: { stubbed: string[]; stubObjects: string[]; roles: string[]; functions: string[] };
  /** The base files' notices (stubbed extensions, transaction control left out). */
  notices: Array<{ file: string; offset: number; message: string }>;
  /** The tables the base's migrations seed, as written, in statement order (whose rows the replay reads). */
  seeded: string[];
  /**
   * Each object the base created (`rel:<oid>`, `proc:<oid>`, `con:<oid>`) with the byte offset of
   * the statement that created it, and what that was found from (kind, schema, name, parent): a
   * replay parses a base file only for an object no longer so.
   */
  origins: Array<[key: string, offset: number, kind: string, schema: string, name: string, parent: string | null]>;
}

/** What the replay reads at the end of the base, besides the bounds. */
export type TemplateCapture = Omit<TemplateState, 'session' | 'objects' | 'sequences'>;

interface TemplateMeta extends TemplateState {
  format: number;
  key: string;
  /** Epoch milliseconds of the last replay that copied it. */
  usedAt: number;
}

/** The base the pull request's replay can start from, or why it cannot (a debug line); undefined when no base was given. */
export type TemplatePlan = { ref: string; base: MigrationFile[] } | { reason: string } | undefined;

/**
 * Whether the pull request's migrations are the base's, unchanged and in the same order, followed
 * by new ones: only then is the base's state a start for its replay. The base is the merge base
 * of `--base` and HEAD (as `--changed` measures it).
 */
export function templatePlan(ctx: RepoContext, files: readonly MigrationFile[]): TemplatePlan {
  const given = ctx.options.base;
  if (given === undefined || ctx.options.replayTemplates === false) return undefined;
  const ref = ctx.options.changedFrom ?? ctx.git.mergeBase(given);
  if (!ref) return { reason: `no merge base of --base ${given} and HEAD` };
  const blobs = ctx.git.blobsAt(ref, MIGRATIONS_DIR);
  const base = migrationsOf(folderEntries([...blobs.keys()]));
  if (base.length === 0) return { reason: 'the base has no migration' };
  const tree = new Map(files.map((m, i) => [m.file, i]));
  for (const [i, m] of base.entries()) {
    const at = tree.get(m.file);
    if (at === undefined) return { reason: `the pull request deletes or renames ${m.file}, a migration of the base` };
    // The same bytes as on the base: the same object id.
    const id = blobs.get(m.file) ?? '';
    if (blobId(readBytes(ctx.root, m.file), id) !== id) return { reason: `the pull request edits ${m.file}, a migration of the base` };
    if (at !== i) {
      const added = files.slice(0, at).find((f) => !base.some((b) => b.file === f.file));
      return { reason: `${added?.file ?? files[i]?.file ?? 'a new migration'} sorts before ${base.at(-1)?.file ?? m.file}, the newest migration of the base` };
    }
  }
  return { ref, base };
}

function readBytes(root: string, file: string): Uint8Array {
  try {
    return fs.readFileSync(path.join(root, file));
  } catch {
    return new Uint8Array();
  }
}

/**
 * The template's key: a hash of the replay cache key of the base's files alone, this format and
 * the SQL parsers' versions (a replay from the template takes the base's parse from it).
 */
export function templateKey(replayKeyOfBase: string): string {
  return createHash('sha256').update(`odooops-gates replay template format ${TEMPLATE_FORMAT}\n${parserVersions()}\n${replayKeyOfBase}`).digest('hex');
}

/** The installed libpg-query packages and their versions. */
function parserVersions(): string {
  return ['libpg-query', 'libpg-query-15', 'libpg-query-17']
    .map((p) => {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(ENGINE_DIR, 'node_modules', p, 'package.json'), 'utf8')) as { version?: unknown };
        return `${p}@${String(pkg.version)}`;
      } catch {
        return `${p}@none`;
      }
    })
    .join(',');
}

export function templateName(key: string): string {
  return `${TEMPLATE_PREFIX}${key.slice(0, 40)}`;
}

async function withAdmin<T>(url: string, fn: (c: import('pg').Client) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function parseMeta(comment: string | null): TemplateMeta | undefined {
  if (!comment) return undefined;
  try {
    const m = JSON.parse(comment) as Partial<TemplateMeta> | null;
    if (
      m &&
      typeof m.format === 'number' &&
      typeof m.key === 'string' &&
      typeof m.start === 'number' &&
      typeof m.baselineCount === 'number' &&
      typeof m.usedAt === 'number' &&
      Array.isArray(m.bounds) &&
      m.bounds.every((b) => Array.isArray(b) && typeof b[0] === 'string' && typeof b[1] === 'number') &&
      Array.isArray(m.session) &&
      m.session.every((s) => Array.isArray(s) && typeof s[0] === 'string' && typeof s[1] === 'string') &&
      typeof m.objects === 'number' &&
      Array.isArray(m.sequences) &&
      m.sequences.every((s) => Array.isArray(s) && typeof s[0] === 'number' && (typeof s[1] === 'string' || s[1] === null)) &&
      typeof m.prepared === 'object' &&
      m.prepared !== null &&
      (['stubbed', 'stubObjects', 'roles', 'functions'] as const).every((k) => Array.isArray(m.prepared?.[k])) &&
      Array.isArray(m.notices) &&
      m.notices.every((n) => typeof n?.file === 'string' && typeof n.offset === 'number' && typeof n.message === 'string') &&
      Array.isArray(m.seeded) &&
      m.seeded.every((t) => typeof t === 'string') &&
      Array.isArray(m.origins) &&
      m.origins.every((o) => Array.isArray(o) && o.length === 6 && typeof o[0] === 'string' && typeof o[1] === 'number')
    )
      return m as TemplateMeta;
  } catch {
    // Not ours, or damaged: not trusted.
  }
  return undefined;
}

/**
 * The state of the complete template `name` of `key`, or undefined when the server has none. A
 * database of that name whose comment does not carry this format and the same key, or that still
 * accepts connections (a template is closed to them before it gets its name), is not trusted: it
 * is dropped, so a build can take the name.
 */
export async function findTemplate(url: string, name: string, key: string): Promise<TemplateState | undefined> {
  return withAdmin(url, async (c) => {
    const { rows } = await c.query<{ meta: string | null; open: boolean }>(
      `select shobj_description(oid, 'pg_database') as meta, datallowconn as open from pg_database where datname = $1`,
      [name],
    );
    const row = rows[0];
    if (!row) return undefined;
    const meta = parseMeta(row.meta);
    if (meta && meta.format === TEMPLATE_FORMAT && meta.key === key && !row.open) {
      if (Date.now() - meta.usedAt > TOUCH_EVERY_MS) await writeMeta(c, name, { ...meta, usedAt: Date.now() }).catch(() => undefined);
      return stateOf(meta);
    }
    await c.query(`drop database if exists ${quoteIdent(name)}`).catch(() => undefined);
    return undefined;
  });
}

function stateOf(m: TemplateMeta): TemplateState {
  const { format: _format, key: _key, usedAt: _usedAt, ...state } = m;
  return state;
}

async function writeMeta(c: import('pg').Client, database: string, meta: TemplateMeta): Promise<void> {
  const { rows } = await c.query<{ sql: string }>(`select format('comment on database %I is %L', $1::text, $2::text) as sql`, [database, JSON.stringify(meta)]);
  await c.query(rows[0]?.sql ?? '');
}

/** Session state the template cannot carry: what the base's migrations left that lives in the session, not the database. */
const SESSION_LEFTOVERS = `select
  (select count(*) from pg_class where relnamespace = pg_my_temp_schema())::int as temp,
  (select count(*) from pg_prepared_statements)::int as prepared,
  (select count(*) from pg_cursors)::int as cursors,
  (select count(*) from pg_listening_channels())::int as listening`;

/** How many rows the catalogs that every created object lands in hold. */
const CATALOG_ROWS = `select ((select count(*) from pg_class) + (select count(*) from pg_proc) + (select count(*) from pg_constraint)
  + (select count(*) from pg_type) + (select count(*) from pg_namespace))::int as n`;

/** The largest object id of the catalogs the replay attributes objects from (as text, in `n`). */
export const MAX_OBJECT_ID = `select greatest(
  coalesce((select max(oid) from pg_class)::int8, 0),
  coalesce((select max(oid) from pg_proc)::int8, 0),
  coalesce((select max(oid) from pg_constraint)::int8, 0))::text as n`;

const SEQUENCES = `select c.oid::int8 as oid, pg_sequence_last_value(c.oid)::text as last from pg_class c where c.relkind = 'S' order by 1`;

/** Settings SET (without LOCAL) on the session; the role and session user are not in pg_settings. */
const SESSION_SETTINGS = `select name, setting as value from pg_settings where source = 'session'
  union all select 'session_authorization', current_setting('session_authorization') where session_user <> current_setting('session_authorization')
  union all select 'role', current_setting('role') where current_setting('role') <> 'none'`;

/**
 * Keeps the database of a complete base replay as the template `name` of `key`: checks that a copy
 * would carry all of it, stores the state as its comment, closes it to connections and renames it.
 * Returns the state, or why it was not kept (the database is dropped then). When another run kept
 * the same template first, that one is as good: this one is dropped and the state returned.
 */
export async function keepTemplate(
  db: Db,
  url: string,
  name: string,
  key: string,
  state: TemplateCapture,
  statementTimeoutMs: number,
): Promise<TemplateState | { reason: string }> {
  const build = db.name;
  if (db.engine !== 'postgres' || !build) {
    await db.close();
    return { reason: 'only a Postgres server keeps templates' };
  }
  const [left] = await db.query<{ temp: number; prepared: number; cursors: number; listening: number }>(SESSION_LEFTOVERS);
  const kinds = left
    ? [
        ['temporary tables', left.temp],
        ['prepared statements', left.prepared],
        ['open cursors', left.cursors],
        ['LISTEN channels', left.listening],
      ].filter(([, n]) => Number(n) > 0)
    : [];
  if (kinds.length) {
    await db.close();
    return { reason: `the base's migrations leave ${kinds.map(([k]) => k).join(', ')} on the session, which a copy of the database does not carry` };
  }
  // The replay's own session settings are set on every copy by the engine, with that run's values.
  const own = new Map([
    ['statement_timeout', String(Math.max(1, Math.round(statementTimeoutMs)))],
    ['synchronous_commit', 'off'],
  ]);
  const session = (await db.query<{ name: string; value: string }>(SESSION_SETTINGS))
    .filter((r) => own.get(r.name) !== r.value)
    .map((r): [string, string] => [r.name, r.value]);
  const [objects] = await db.query<{ n: number }>(CATALOG_ROWS);
  const sequences = (await db.query<{ oid: string; last: string | null }>(SEQUENCES)).map((r): [number, string | null] => [Number(r.oid), r.last]);
  await db.detach();
  const meta: TemplateMeta = { format: TEMPLATE_FORMAT, key, ...state, session, objects: Number(objects?.n ?? 0), sequences, usedAt: Date.now() };
  return withAdmin(url, async (c) => {
    const drop = (): Promise<unknown> => c.query(`drop database if exists ${quoteIdent(build)}`).catch(() => undefined);
    try {
      // Database-level state a copy does not carry: grants on the database, its comment, its owner,
      // its connection limit, settings of a role in it.
      const { rows } = await c.query<{ plain: boolean }>(
        `select d.datacl is null and shobj_description(d.oid, 'pg_database') is null and d.datconnlimit = -1
            and d.datdba = (select oid from pg_roles where rolname = current_user)
            and not exists (select from pg_db_role_setting s where s.setdatabase = d.oid and s.setrole <> 0) as plain
           from pg_database d where d.datname = $1`,
        [build],
      );
      if (!rows[0]?.plain) {
        await drop();
        return {
          reason:
            "the base's migrations change the database itself (its grants, comment, owner, connection limit or a role's settings in it), which a copy does not carry",
        };
      }
      await writeMeta(c, build, meta);
      await c.query(`alter database ${quoteIdent(build)} allow_connections false`);
      try {
        await c.query(`alter database ${quoteIdent(build)} rename to ${quoteIdent(name)}`);
      } catch (e) {
        // 42P04: another run completed the same template meanwhile.
        if (toDbError(e).code !== '42P04') throw e;
        await drop();
        const other = await findTemplate(url, name, key);
        if (!other) return { reason: `another run kept ${name} meanwhile, and it cannot be read` };
        return other;
      }
      return stateOf(meta);
    } catch (e) {
      await drop();
      return { reason: `the template could not be kept: ${toDbError(e).message}` };
    }
  });
}

/** Sets the settings the base left on the copy's session, the role last (as the base's session ended). */
export async function applySession(db: Db, session: TemplateState['session']): Promise<void> {
  const order = (n: string): number => (n === 'role' ? 2 : n === 'session_authorization' ? 1 : 0);
  for (const [name, value] of [...session].sort((a, b) => order(a[0]) - order(b[0]))) {
    await db.query('select set_config($1, $2, false)', [name, value]);
  }
}

export function workName(template: string): string {
  return `${TEMPLATE_WORK_PREFIX}${template.slice(TEMPLATE_PREFIX.length)}`;
}

/** Makes the working copy of `template` when the server has none; returns its name. */
export async function ensureWorkCopy(url: string, template: string): Promise<string> {
  const work = workName(template);
  await withAdmin(url, async (c) => {
    const { rows } = await c.query('select 1 from pg_database where datname = $1', [work]);
    if (rows.length) return;
    try {
      await copyTemplate(c, work, template);
    } catch (e) {
      // Another run made it meanwhile (42P04, or 23505 when both inserted at once).
      if (!['42P04', '23505'].includes(toDbError(e).code ?? '')) throw e;
    }
  });
  return work;
}

/** The start of the reason a working copy was not used because it is no longer the base's state. */
export const STALE_WORK = "its working copy is not the base's";

/** Drops a working copy that is no longer the base's state (the next run makes another); left alone while in use. */
export async function dropWorkCopy(url: string, work: string): Promise<void> {
  await withAdmin(url, (c) => c.query(`drop database if exists ${quoteIdent(work)}`)).catch(() => undefined);
}

/** Any fixed key: advisory locks are per database, so this is the working copy's. */
export const WORK_LOCK_KEY = 7_310_512_036_002;
/** How long a run waits for another run's turn on the working copy before it makes its own copy. */
const WORK_LOCK_WAIT = '10s';

/**
 * Takes the working copy for this session (one run at a time: its sequences are shared) and checks
 * that it is the base's state: the same largest object id and catalog rows, and its sequences set
 * back to the base's (a run that died may have advanced them). Returns why it cannot be used.
 */
export async function enterWork(db: Db, state: TemplateState): Promise<string | undefined> {
  try {
    const [was] = await db.query<{ v: string }>("select current_setting('lock_timeout') as v");
    await db.query("select set_config('lock_timeout', $1, false)", [WORK_LOCK_WAIT]);
    await db.query('select pg_advisory_lock($1)', [WORK_LOCK_KEY]);
    await db.query("select set_config('lock_timeout', $1, false)", [was?.v ?? '0']);
  } catch (e) {
    return `its working copy is busy with another run (${toDbError(e).message})`;
  }
  const [max] = await db.query<{ n: string }>(MAX_OBJECT_ID);
  const [rows] = await db.query<{ n: number }>(CATALOG_ROWS);
  const last = state.bounds.at(-1)?.[1] ?? state.start;
  if (Number(max?.n) !== last || Number(rows?.n) !== state.objects) {
    return `${STALE_WORK} state (largest object id ${max?.n ?? '?'}, expected ${last}; ${rows?.n ?? '?'} catalog rows, expected ${state.objects})`;
  }
  await resetSequences(db, state);
  return undefined;
}

/** Rolls the run's transaction back and sets the sequences back to the base's. */
export async function leaveWork(db: Db, state: TemplateState): Promise<void> {
  await db.exec('rollback');
  // As the session's own user again: the base may have left a role without the right to set sequences.
  await db.exec('reset session authorization');
  await db.exec('reset role');
  await resetSequences(db, state);
}

async function resetSequences(db: Db, state: TemplateState): Promise<void> {
  if (state.sequences.length === 0) return;
  await db.query(
    `select pg_catalog.setval(r.oid::oid::regclass, coalesce(r.last, s.seqstart), r.last is not null)
       from unnest($1::int8[], $2::int8[]) as r(oid, last) join pg_sequence s on s.seqrelid = r.oid::oid
      where pg_sequence_last_value(r.oid::oid) is distinct from r.last`,
    [state.sequences.map((x) => x[0]), state.sequences.map((x) => x[1])],
  );
}

/**
 * Keeps the `keep` most recently used templates of the server and drops the others, and the build
 * databases of runs that died; a database in use is left alone. Best effort: a failure is no error.
 */
export async function pruneTemplates(url: string, keep = KEEP_TEMPLATES): Promise<string[]> {
  return withAdmin(url, async (c) => {
    const { rows } = await c.query<{ name: string; meta: string | null }>(
      `select datname as name, shobj_description(oid, 'pg_database') as meta from pg_database
        where starts_with(datname, $1) or starts_with(datname, $2) or starts_with(datname, $3)`,
      [TEMPLATE_PREFIX, `${TEMPLATE_BUILD_PREFIX}_`, TEMPLATE_WORK_PREFIX],
    );
    const templates = rows
      .filter((r) => r.name.startsWith(TEMPLATE_PREFIX))
      .map((r) => ({ name: r.name, usedAt: parseMeta(r.meta)?.usedAt ?? 0 }))
      .sort((a, b) => b.usedAt - a.usedAt);
    const stale = rows.filter((r) => {
      if (!r.name.startsWith(`${TEMPLATE_BUILD_PREFIX}_`)) return false;
      const born = parseInt(r.name.slice(TEMPLATE_BUILD_PREFIX.length + 1).split('_')[0] ?? '', 36);
      return !Number.isFinite(born) || Date.now() - born > STALE_BUILD_MS;
    });
    // A working copy goes with its template (first, as a copy being made from the template blocks its drop).
    const kept = new Set(templates.slice(0, keep).map((t) => workName(t.name)));
    const works = rows.filter((r) => r.name.startsWith(TEMPLATE_WORK_PREFIX) && !kept.has(r.name)).map((r) => r.name);
    const dropped: string[] = [];
    for (const name of [...works, ...templates.slice(keep).map((t) => t.name), ...stale.map((r) => r.name)]) {
      try {
        await c.query(`drop database if exists ${quoteIdent(name)}`);
        dropped.push(name);
      } catch {
        // In use (a copy being made, a build going on): left for a later run.
      }
    }
    return dropped;
  }).catch(() => []);
}
