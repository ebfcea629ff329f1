import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ENGINE_DIR } from '../core/artifacts.ts';

/**
 * A fresh database to replay migrations on: the embedded PGlite, or a throwaway database on a
 * real Postgres. Both start from the same Supabase baseline (`supabase-baseline.sql`).
 */
export interface Db {
  readonly engine: 'pglite' | 'postgres';
  /** Runs one statement through the simple-query protocol. */
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements in one round trip; returns the rows of the last one. */
  batch<T>(sql: string): Promise<T[]>;
  /** Closes the connection and drops the throwaway database; safe to call twice. */
  close(): Promise<void>;
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

export function baselineSql(): string {
  return fs.readFileSync(BASELINE_FILE, 'utf8');
}

/** Opens a fresh database with the baseline applied: Postgres when `databaseUrl` is set, else PGlite. */
export async function openDatabase(databaseUrl: string | undefined, statementTimeoutMs: number): Promise<Db> {
  return databaseUrl ? openPostgres(databaseUrl, statementTimeoutMs) : openPglite(statementTimeoutMs);
}

/** A throwaway database `gates_replay_<random>` on the server of `url`, dropped on close. */
export async function openPostgres(url: string, statementTimeoutMs: number): Promise<Db> {
  const { default: pg } = await import('pg');
  const name = `gates_replay_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  let client: InstanceType<typeof pg.Client> | undefined;
  let created = false;
  const drop = async (): Promise<void> => {
    try {
      if (client) await client.end().catch(() => undefined);
      client = undefined;
      if (created) await admin.query(`drop database if exists "${name}" with (force)`);
      created = false;
    } finally {
      await admin.end().catch(() => undefined);
    }
  };
  try {
    await admin.query(`create database "${name}"`);
    created = true;
    const target = new URL(url);
    target.pathname = `/${name}`;
    client = new pg.Client({ connectionString: target.toString() });
    await client.connect();
    await client.query(`set statement_timeout = ${Math.max(1, Math.round(statementTimeoutMs))}`);
    // A throwaway database needs no durability: skip the WAL flush at every commit.
    await client.query('set synchronous_commit = off');
    await client.query(baselineSql());
  } catch (e) {
    await drop();
    throw e;
  }
  const c = client;
  let closed = false;
  return {
    engine: 'postgres',
    async exec(sql) {
      await c.query(sql);
    },
    async query<T>(sql: string, params?: unknown[]) {
      return (await c.query(sql, params)).rows as T[];
    },
    async batch<T>(sql: string) {
      const r: unknown = await c.query(sql);
      const last = Array.isArray(r) ? r.at(-1) : r;
      return ((last as { rows?: T[] } | undefined)?.rows ?? []) as T[];
    },
    async close() {
      if (closed) return;
      closed = true;
      await drop();
    },
  };
}

/**
 * PGlite in a worker thread, from a cached, initialised data directory (the baseline already
 * applied): a cold `initdb` costs seconds, loading the dump far less. The cache is written
 * atomically. PGlite cannot cancel a statement, so a call that outlives `statementTimeoutMs`
 * terminates the worker and fails with SQLSTATE 57014; the database is gone after that.
 */
export async function openPglite(statementTimeoutMs = 60_000): Promise<Db> {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(path.join(ENGINE_DIR, 'gates', 'db', 'pglite-worker.mjs'));
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
    if (dead) return Promise.reject(dead);
    const id = next++;
    return new Promise<unknown[]>((resolve, reject) => {
      const timer = timeoutMs
        ? setTimeout(() => {
            failAll({ message: 'canceling statement due to statement timeout', code: '57014', position: undefined });
            void worker.terminate();
          }, timeoutMs)
        : undefined;
      const done = <A>(f: (a: A) => void) => (a: A) => {
        if (timer) clearTimeout(timer);
        f(a);
      };
      pending.set(id, { resolve: done(resolve), reject: done(reject) });
      worker.postMessage({ id, ...msg });
    });
  };
  try {
    await call({ op: 'open', cacheFile: await pgliteCacheFile(), baseline: baselineSql() });
  } catch (e) {
    await worker.terminate();
    throw new Error(`PGlite did not start: ${toDbError(e).message}`);
  }
  let closed = false;
  return {
    engine: 'pglite',
    async exec(sql) {
      await call({ op: 'exec', sql }, statementTimeoutMs);
    },
    async query<T>(sql: string, params?: unknown[]) {
      return (await call({ op: 'query', sql, params }, statementTimeoutMs)) as T[];
    },
    async batch<T>(sql: string) {
      return (await call({ op: 'exec', sql }, statementTimeoutMs)) as T[];
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!dead) await call({ op: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

async function pgliteCacheFile(): Promise<string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ENGINE_DIR, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as {
    version: string;
  };
  const hash = createHash('sha256').update(baselineSql()).digest('hex').slice(0, 16);
  return path.join(PGLITE_CACHE_DIR, `pglite-${pkg.version}-${hash}.tar`);
}
