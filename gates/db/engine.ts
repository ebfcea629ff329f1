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
  return databaseUrl ? openPostgres(databaseUrl, statementTimeoutMs) : openPglite();
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
 * PGlite from a cached, initialised data directory (the baseline already applied): a cold
 * `initdb` costs seconds, loading the dump far less. The cache is written atomically.
 */
export async function openPglite(): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const cacheFile = await pgliteCacheFile();
  let db: InstanceType<typeof PGlite>;
  if (fs.existsSync(cacheFile)) {
    db = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(cacheFile)]) });
  } else {
    db = await PGlite.create();
    await db.exec(baselineSql());
    const dump = await db.dumpDataDir('none');
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(tmp, cacheFile);
  }
  let closed = false;
  return {
    engine: 'pglite',
    async exec(sql) {
      await db.exec(sql);
    },
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    async batch<T>(sql: string) {
      return ((await db.exec(sql)).at(-1)?.rows ?? []) as T[];
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
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
