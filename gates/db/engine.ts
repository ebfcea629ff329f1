import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { ENGINE_DIR } from '../core/artifacts.ts';
import { EXTENSION_STUBS, PGLITE_BUILTIN_EXTENSIONS, PGLITE_EXTENSIONS } from './extensions.ts';

/** Extensions the baseline creates (PGlite always loads them). */
export const BASELINE_EXTENSIONS: readonly string[] = ['uuid-ossp', 'pgcrypto'];

/**
 * A fresh database to replay migrations on: the embedded PGlite, or a throwaway database on a
 * real Postgres. Both start from the same Supabase baseline (`supabase-baseline.sql`).
 */
export interface Db {
  readonly engine: 'pglite' | 'postgres';
  /** Postgres major of the engine (PGlite's build, or the server's). */
  readonly major: number;
  /** Extensions the engine can create for real. */
  readonly available: ReadonlySet<string>;
  /** PGlite: opened by the worker `startPglite` started ahead (its guess of the database was right). */
  readonly openedAhead?: boolean;
  /** The throwaway database's name on a server (undefined on PGlite). */
  readonly name?: string;
  /** Runs one statement through the simple-query protocol. */
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements in one round trip; returns the rows of the last one. */
  batch<T>(sql: string): Promise<T[]>;
  /** Closes the connection and drops the throwaway database (and the roles the replay created); safe to call twice. */
  close(): Promise<void>;
  /**
   * Closes the connection and keeps the database on the server (to become a replay template):
   * the caller owns it from then on. PGlite has nothing to keep: it closes.
   */
  detach(): Promise<void>;
}

export interface OpenOptions {
  /** A real Postgres server; PGlite when unset. */
  databaseUrl?: string | undefined;
  statementTimeoutMs: number;
  /** Extensions PGlite should load (those it does not ship are ignored). */
  pgliteExtensions?: readonly string[];
  /** The baseline SQL to apply, given the extensions the engine can create for real. */
  baseline(available: ReadonlySet<string>): string;
  /**
   * Roles are cluster-wide on Postgres: when the migrations create roles, replays on that server
   * take turns (an advisory lock), and the roles a replay created are dropped at close when this
   * says they are the migrations' (their name appears in them).
   */
  ownsRole?: (name: string) => boolean;
  /**
   * Postgres only: copy this database of the same server (a replay template, which already holds
   * the baseline) instead of applying the baseline; `baseline` is still called, for what it tells
   * its caller, but not run. The template's database-level settings are carried over.
   */
  template?: string;
  /** Postgres only: the throwaway database's name starts with this (default `gates_replay`). */
  namePrefix?: string;
  /**
   * Postgres only: connect to this existing database (which already holds the baseline) instead of
   * creating one; closing only disconnects. `baseline` is called but not run.
   */
  existing?: string;
  /** PGlite only: the folder of its data-directory dumps (default `PGLITE_CACHE_DIR`). */
  pgliteCacheDir?: string | undefined;
  /** PGlite only: a worker started ahead with `startPglite`, taken when it opens the same database. */
  started?: StartedPglite | undefined;
}

/** A database error, as both engines report it. */
export interface DbError {
  message: string;
  /** SQLSTATE, e.g. `42P01`. */
  code: string | undefined;
  /** 1-based character position in the statement, when Postgres gives one. */
  position: number | undefined;
}

export const BASELINE_FILE = path.join(ENGINE_DIR, 'gates', 'db', 'supabase-baseline.sql');
/** Initialised PGlite data directories, keyed by PGlite version and baseline hash. */
export const PGLITE_CACHE_DIR = path.join(ENGINE_DIR, 'node_modules', '.cache', 'odooops-gates');

export function toDbError(e: unknown): DbError {
  const o = (e ?? {}) as { message?: unknown; code?: unknown; position?: unknown };
  const pos = Number(o.position);
  return {
    message: typeof o.message === 'string' ? o.message : String(e),
    code: typeof o.code === 'string' ? o.code : undefined,
    position: Number.isInteger(pos) && pos > 0 ? pos : undefined,
  };
}

/** A database error as an Error, for a rejected promise (`toDbError` reads the same error back). */
function dbFailure(e: DbError): Error & DbError {
  return Object.assign(new Error(e.message), e);
}

/** The baseline file as written (the replay prepares it statement by statement). */
export function rawBaselineSql(): string {
  return fs.readFileSync(BASELINE_FILE, 'utf8');
}

/**
 * The baseline as one script that runs on any Postgres or PGlite without the parser: each
 * `create extension` of an extension with a declared stub checks at run time whether the server
 * has it, and creates the stub otherwise (or leaves it out when there is none). For code that needs the platform's schema without a
 * replay (e.g. the ingest suites).
 */
export function baselineSql(): string {
  return rawBaselineSql().replace(
    /^create extension if not exists ("?)([a-z0-9_-]+)\1(?: with schema ([a-z_]+))?;$/gm,
    (line, _q: string, ext: string, schema?: string) => {
      const stub = EXTENSION_STUBS[ext];
      // An extension with no stub (uuid-ossp, pgcrypto) is left out where the engine lacks it, e.g. a
      // PGlite started without its contrib bundles: what needs it fails later, naming it.
      const body = stub
        ? stub.sql(stub.fixedSchema ?? schema ?? 'public')
        : `do $gates_skip$ begin raise notice 'extension ${ext} is not available: left out of the baseline'; end $gates_skip$;`;
      return `do $gates_baseline$ begin
  if exists (select from pg_available_extensions where name = '${ext}') then execute $gates_sql$${line}$gates_sql$;
  else execute $gates_sql$${body}$gates_sql$;
  end if;
end $gates_baseline$;`;
    },
  );
}

/** Opens a fresh database with the baseline applied: Postgres when `databaseUrl` is set, else PGlite. */
export async function openDatabase(opts: OpenOptions): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openPglite(opts);
}

/** Any fixed 64-bit key: replays whose migrations create roles take turns on a server. */
const ROLE_LOCK_KEY = 7_310_512_036_001;

/** A Postgres identifier, double-quoted. */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** How often, and how long apart, a copy waits for a template that another session is reading. */
const TEMPLATE_BUSY_RETRIES = 20;
const TEMPLATE_BUSY_WAIT_MS = 100;

/** A throwaway database `gates_replay_<random>` on the server of `url`, dropped on close. */
export async function openPostgres(url: string, opts: OpenOptions): Promise<Db> {
  const { default: pg } = await import('pg');
  const statementTimeoutMs = opts.statementTimeoutMs;
  const name = opts.existing ?? `${opts.namePrefix ?? 'gates_replay'}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  let client: InstanceType<typeof pg.Client> | undefined;
  let created = false;
  let rolesBefore: Set<string> | undefined;
  const drop = async (): Promise<void> => {
    try {
      if (client) await client.end().catch(() => undefined);
      client = undefined;
      if (created) await admin.query(`drop database if exists "${name}" with (force)`);
      created = false;
      if (rolesBefore && opts.ownsRole) {
        const now = await admin.query<{ rolname: string }>('select rolname from pg_roles');
        for (const { rolname } of now.rows) {
          if (!rolesBefore.has(rolname) && opts.ownsRole(rolname))
            await admin.query(`drop role if exists "${rolname.replaceAll('"', '""')}"`).catch(() => undefined);
        }
        await admin.query('select pg_advisory_unlock($1)', [ROLE_LOCK_KEY]).catch(() => undefined);
      }
    } finally {
      await admin.end().catch(() => undefined);
    }
  };
  let major = 0;
  let available = new Set<string>();
  try {
    if (opts.ownsRole) {
      await admin.query('select pg_advisory_lock($1)', [ROLE_LOCK_KEY]);
      rolesBefore = new Set((await admin.query<{ rolname: string }>('select rolname from pg_roles')).rows.map((r) => r.rolname));
    }
    if (opts.existing === undefined) {
      if (opts.template === undefined) await admin.query(`create database "${name}"`);
      else await copyTemplate(admin, name, opts.template);
      created = true;
    }
    const target = new URL(url);
    target.pathname = `/${name}`;
    client = new pg.Client({ connectionString: target.toString() });
    await client.connect();
    if (opts.template !== undefined) await copyDatabaseSettings(admin, client, opts.template, opts.existing === undefined ? name : undefined);
    await client.query(`set statement_timeout = ${Math.max(1, Math.round(statementTimeoutMs))}`);
    // A throwaway database needs no durability: skip the WAL flush at every commit.
    await client.query('set synchronous_commit = off');
    major = Math.floor(Number((await client.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]?.v ?? 0) / 10000);
    available = new Set((await client.query<{ name: string }>('select name from pg_available_extensions')).rows.map((r) => r.name));
    // pg_cron can only be created in the database its scheduler watches (cron.database_name),
    // never in a throwaway one: there it is replayed as a stub.
    const [cron] = (await client.query<{ db: string | null }>("select current_setting('cron.database_name', true) as db")).rows;
    if (cron?.db && cron.db !== name) available.delete('pg_cron');
    const baseline = opts.baseline(available);
    if (opts.template === undefined && opts.existing === undefined) await client.query(baseline);
  } catch (e) {
    await drop();
    throw e;
  }
  const c = client;
  let closed = false;
  return {
    engine: 'postgres',
    name,
    major,
    available,
    async exec(sql) {
      await c.query(sql);
    },
    async query<T>(sql: string, params?: unknown[]) {
      return (await c.query(sql, params)).rows as T[];
    },
    async batch<T>(sql: string) {
      const r: unknown = await c.query(sql);
      const last: unknown = Array.isArray(r) ? (r as unknown[]).at(-1) : r;
      return (last as { rows?: T[] } | undefined)?.rows ?? [];
    },
    async close() {
      if (closed) return;
      closed = true;
      await drop();
    },
    async detach() {
      if (closed) return;
      closed = true;
      created = false;
      await drop();
    },
  };
}

/**
 * `create database name template template`: a copy of its files, object ids included. Another
 * session copying the same template at that moment makes Postgres refuse ("being accessed by
 * other users", 55006): that is retried for a while.
 */
export async function copyTemplate(admin: { query(sql: string): Promise<unknown> }, name: string, template: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`create database ${quoteIdent(name)} template ${quoteIdent(template)}`);
      return;
    } catch (e) {
      if (toDbError(e).code !== '55006' || attempt >= TEMPLATE_BUSY_RETRIES) throw e;
      await new Promise((r) => setTimeout(r, TEMPLATE_BUSY_WAIT_MS));
    }
  }
}

interface Queryable {
  query<R extends object>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * A copy does not carry the template's database-level settings (`alter database ... set`, e.g. the
 * baseline's search_path): each is set in the copy's session and, when `name` is given, stored on
 * the copy from it.
 */
async function copyDatabaseSettings(admin: Queryable, client: Queryable, template: string, name: string | undefined): Promise<void> {
  const { rows } = await admin.query<{ cfg: string }>(
    `select unnest(s.setconfig) as cfg from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase where d.datname = $1 and s.setrole = 0`,
    [template],
  );
  for (const { cfg } of rows) {
    const eq = cfg.indexOf('=');
    if (eq <= 0) continue;
    const key = cfg.slice(0, eq);
    await client.query('select set_config($1, $2, false)', [key, cfg.slice(eq + 1)]);
    if (name !== undefined) await client.query(`alter database ${quoteIdent(name)} set ${key.split('.').map(quoteIdent).join('.')} from current`);
  }
}

/** The extension bundles PGlite loads for these extensions (the baseline's included), sorted. */
function pgliteBundles(extensions: readonly string[] | undefined): string[] {
  const wanted = new Set([...BASELINE_EXTENSIONS, ...(extensions ?? [])]);
  return [...wanted].filter((e) => PGLITE_EXTENSIONS[e]).sort();
}

/** The extensions PGlite can create for real with these bundles loaded. */
export function pgliteAvailable(extensions: readonly string[] | undefined): ReadonlySet<string> {
  return new Set([...pgliteBundles(extensions), ...PGLITE_BUILTIN_EXTENSIONS]);
}

/** A PGlite worker thread and its calls. */
interface PgliteWorker {
  call: (msg: Record<string, unknown>, timeoutMs?: number) => Promise<unknown[]>;
  isDead: () => boolean;
  /** Keeps the process alive while the worker is in use (a started one does not). */
  ref: () => void;
  terminate: () => Promise<void>;
}

/** A worker asked to open a database: with which bundles, from which dump, and when it is open. */
interface PgliteOpening {
  worker: PgliteWorker;
  bundles: string;
  /** The dump it opens (the one keyed by its baseline, or the one its bundles opened last). */
  dump: Promise<string>;
  opened: Promise<void>;
}

/**
 * A PGlite worker started ahead of its use, so that its start-up (the thread, PGlite's code, its
 * WebAssembly, reading the data directory: over a second) overlaps the rest of the run. It does
 * not keep the process alive; `discard` stops it when it is not taken.
 */
export interface StartedPglite {
  discard(): void;
}

const startedWorkers = new WeakMap<
  StartedPglite,
  { worker: PgliteWorker; cacheDir: string; last: { bundles: string; dump: string } | undefined; opening?: PgliteOpening }
>();

/**
 * Starts a PGlite worker before it is known which database it will open (it loads PGlite's code
 * and reads the dump the last run opened, if any, meanwhile). `openAhead` then says what to open;
 * `openPglite` takes it when asked for the same database.
 */
export function startPglite(cacheDir: string = PGLITE_CACHE_DIR): StartedPglite {
  const last = lastOpened(cacheDir);
  const worker = spawnPgliteWorker(cacheDir, last?.dump);
  const handle: StartedPglite = {
    discard() {
      if (startedWorkers.delete(handle)) void worker.terminate();
    },
  };
  startedWorkers.set(handle, { worker, cacheDir, last });
  return handle;
}

/**
 * Has a started worker open PGlite with the extensions `extensions` names: from the dump these
 * bundles opened last when there is one, without waiting for the baseline (which needs the SQL
 * parser), else with the baseline `baseline` gives for them once it is ready. `openPglite` takes
 * it only when that dump is the one its own baseline is keyed to.
 */
export function openAhead(handle: StartedPglite, extensions: readonly string[], baseline: (available: ReadonlySet<string>) => Promise<string>): void {
  const s = startedWorkers.get(handle);
  if (!s || s.opening) return;
  const bundles = pgliteBundles(extensions);
  const { last } = s;
  const sql = baseline(pgliteAvailable(extensions));
  sql.catch(() => undefined);
  s.opening = beginOpen(s.worker, s.cacheDir, bundles, sql, last?.bundles === bundles.join(',') && fs.existsSync(last.dump) ? last.dump : undefined);
  s.opening.opened.catch(() => undefined);
  s.opening.dump.catch(() => undefined);
}

/** The folder of V8's compile cache when the launcher turned it on (Node 22.8 and later say where), for the worker to use too. */
function compileCacheDir(): string | undefined {
  return (module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir?.();
}

// Loaded when a worker is first started, not with the engine: most runs start none.
const requireBuiltin = module.createRequire(import.meta.url);

function spawnPgliteWorker(cacheDir: string, prefetch?: string): PgliteWorker {
  const { Worker } = requireBuiltin('node:worker_threads') as typeof import('node:worker_threads');
  const worker = new Worker(path.join(ENGINE_DIR, 'gates', 'db', 'pglite-worker.mjs'), { workerData: { prefetch, cacheDir, compileCache: compileCacheDir() } });
  worker.unref();
  let next = 0;
  let dead: DbError | undefined;
  const pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (e: unknown) => void }>();
  const failAll = (e: DbError): void => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (m: { id: number; rows?: unknown[]; error?: DbError }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(m.error);
    else p?.resolve(m.rows ?? []);
  });
  worker.on('error', (e) => failAll({ message: `PGlite worker failed: ${e.message}`, code: undefined, position: undefined }));
  const call = (msg: Record<string, unknown>, timeoutMs?: number): Promise<unknown[]> => {
    if (dead) return Promise.reject(dbFailure(dead));
    const id = next++;
    return new Promise<unknown[]>((resolve, reject) => {
      const timer = timeoutMs
        ? setTimeout(() => {
            failAll({ message: 'canceling statement due to statement timeout', code: '57014', position: undefined });
            void worker.terminate();
          }, timeoutMs)
        : undefined;
      const done =
        <A>(f: (a: A) => void) =>
        (a: A) => {
          if (timer) clearTimeout(timer);
          f(a);
        };
      pending.set(id, { resolve: done(resolve), reject: done(reject) });
      worker.postMessage({ id, ...msg });
    });
  };
  return {
    call,
    isDead: () => dead !== undefined,
    ref: () => worker.ref(),
    terminate: async () => {
      await worker.terminate();
    },
  };
}

/** Asks the worker to open PGlite: from `lastDump` at once, else from the dump of the baseline once it is known. */
function beginOpen(worker: PgliteWorker, cacheDir: string, bundles: readonly string[], baseline: Promise<string>, lastDump?: string): PgliteOpening {
  const dumpOf = (b: string): string => pgliteCacheFile(b, cacheDir);
  const extensions = bundles.map((e) => PGLITE_EXTENSIONS[e]);
  const opened =
    lastDump !== undefined
      ? worker.call({ op: 'open', cacheFile: lastDump, extensions }).then(() => undefined)
      : baseline.then(async (b) => {
          await worker.call({ op: 'open', cacheFile: dumpOf(b), baseline: b, extensions });
        });
  return { worker, bundles: bundles.join(','), dump: lastDump !== undefined ? Promise.resolve(lastDump) : baseline.then(dumpOf), opened };
}

/**
 * PGlite in a worker thread, from a cached, initialised data directory (the baseline already
 * applied): a cold `initdb` costs seconds, loading the dump far less. The cache is written
 * atomically. PGlite cannot cancel a statement, so a call that outlives `statementTimeoutMs`
 * terminates the worker and fails with SQLSTATE 57014; the database is gone after that. A worker
 * started ahead (`opts.started`) is taken when it opens the same dump with the same extensions
 * (or, not asked to open yet, is asked now); it is stopped otherwise.
 */
export async function openPglite(opts: OpenOptions): Promise<Db> {
  const statementTimeoutMs = opts.statementTimeoutMs;
  const bundles = pgliteBundles(opts.pgliteExtensions);
  const available = pgliteAvailable(opts.pgliteExtensions);
  const baseline = opts.baseline(available);
  const cacheDir = opts.pgliteCacheDir ?? PGLITE_CACHE_DIR;
  const dump = pgliteCacheFile(baseline, cacheDir);
  const found = opts.started && startedWorkers.get(opts.started);
  const ahead = found?.cacheDir === cacheDir ? found : undefined;
  if (found && !ahead) void found.worker.terminate();
  if (opts.started) startedWorkers.delete(opts.started);
  let w: PgliteWorker | undefined;
  let openedAhead = false;
  if (ahead?.opening && ahead.opening.bundles === bundles.join(',') && (await ahead.opening.dump.catch(() => undefined)) === dump) {
    ahead.worker.ref();
    // Opened from a dump without its baseline, a damaged dump fails: a fresh open rebuilds it.
    const ok = await ahead.opening.opened.then(
      () => true,
      () => false,
    );
    if (ok) {
      w = ahead.worker;
      openedAhead = true;
    } else void ahead.worker.terminate();
  } else if (ahead?.opening) void ahead.worker.terminate();
  if (!w) {
    const worker = ahead && !ahead.opening ? ahead.worker : spawnPgliteWorker(cacheDir);
    worker.ref();
    try {
      await beginOpen(worker, cacheDir, bundles, Promise.resolve(baseline)).opened;
    } catch (e) {
      await worker.terminate();
      throw new Error(`PGlite did not start: ${toDbError(e).message}`);
    }
    w = worker;
  }
  rememberOpened(cacheDir, bundles, dump);
  const { call } = w;
  // The baseline's `alter database ... set search_path` is not read by PGlite's single session.
  await call({ op: 'exec', sql: 'set search_path = "$user", public, extensions' });
  const [v] = (await call({ op: 'query', sql: 'show server_version_num' })) as Array<{ server_version_num: string }>;
  const major = Math.floor(Number(v?.server_version_num ?? 0) / 10000);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (!w.isDead()) await call({ op: 'close' }).catch(() => undefined);
    await w.terminate();
  };
  return {
    engine: 'pglite',
    major,
    available,
    openedAhead,
    async exec(sql) {
      await call({ op: 'exec', sql }, statementTimeoutMs);
    },
    async query<T>(sql: string, params?: unknown[]) {
      return (await call({ op: 'query', sql, params }, statementTimeoutMs)) as T[];
    },
    async batch<T>(sql: string) {
      return (await call({ op: 'exec', sql }, statementTimeoutMs)) as T[];
    },
    close,
    // Nothing outlives PGlite's worker.
    detach: close,
  };
}

/** The file that names the dump PGlite opened last, and with which bundles. */
const lastOpenedFile = (cacheDir: string): string => path.join(cacheDir, `pglite-${pgliteVersion()}-last.json`);

/** The dump PGlite opened last (a hint for an early start: a wrong one is never used); undefined when unknown. */
function lastOpened(cacheDir: string): { bundles: string; dump: string } | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(lastOpenedFile(cacheDir), 'utf8')) as unknown;
    if (v && typeof v === 'object' && 'bundles' in v && 'dump' in v && typeof v.bundles === 'string' && typeof v.dump === 'string')
      return { bundles: v.bundles, dump: v.dump };
  } catch {
    // No hint: the worker opens once the baseline is known.
  }
  return undefined;
}

function rememberOpened(cacheDir: string, bundles: readonly string[], dump: string): void {
  const last = lastOpened(cacheDir);
  if (last?.bundles === bundles.join(',') && last.dump === dump) return;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const file = lastOpenedFile(cacheDir);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ bundles: bundles.join(','), dump }));
    fs.renameSync(tmp, file);
  } catch {
    // A hint not written costs the next run its early open, nothing else.
  }
}

function pgliteCacheFile(baseline: string, cacheDir: string): string {
  const hash = createHash('sha256').update(baseline).digest('hex').slice(0, 16);
  return path.join(cacheDir, `pglite-${pgliteVersion()}-${hash}.tar`);
}

let pgliteVersionRead: string | undefined;

/** The installed PGlite's version (from its package.json). */
export function pgliteVersion(): string {
  if (pgliteVersionRead !== undefined) return pgliteVersionRead;
  const pkg = JSON.parse(fs.readFileSync(path.join(ENGINE_DIR, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string };
  pgliteVersionRead = pkg.version;
  return pkg.version;
}

/**
 * What a replay's result depends on in the engine, without opening a replay database:
 * `pglite@<version>`, or the server's `server_version_num`, the extensions it offers and whether
 * pg_cron is bound to a database (one short connection to `databaseUrl`). Throws when the server
 * cannot be reached.
 */
export async function engineIdentity(databaseUrl: string | undefined): Promise<string> {
  if (!databaseUrl) return `pglite@${pgliteVersion()}`;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const [r] = (
      await client.query<{ v: string; ext: string | null; cron: string | null }>(
        `select current_setting('server_version_num') as v,
                (select string_agg(name, ',' order by name) from pg_available_extensions) as ext,
                current_setting('cron.database_name', true) as cron`,
      )
    ).rows;
    return `postgres@${r?.v ?? '?'};extensions=${r?.ext ?? ''};cron=${r?.cron ? 'bound' : 'none'}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
