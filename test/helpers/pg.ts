import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestContext } from 'vitest';

/**
 * The Postgres server of the suites: `DATABASE_URL` when it is set and not empty (CI), else none,
 * and the Postgres suites run on the embedded engine (PGlite) instead.
 */
export const DATABASE_URL: string | undefined = process.env.DATABASE_URL || undefined;
export const ON_SERVER = DATABASE_URL !== undefined;

export const EMBEDDED_NOTE = 'Postgres suites on the embedded engine; set DATABASE_URL to run them on a server';

/** Skips a test that only means something on a real server, saying why; the reporter lists it. */
export function needsServer(ctx: TestContext, what: string): asserts ctx {
  if (!ON_SERVER) ctx.skip(`needs a Postgres server (${what}); set DATABASE_URL to run it`);
}

/** The server's URL for a test that `needsServer` already guarded. */
export function serverUrl(): string {
  if (DATABASE_URL === undefined) throw new Error('no DATABASE_URL: guard the test with needsServer()');
  return DATABASE_URL;
}

export interface ThrowawayDatabase {
  /** Connection string of the fresh, empty database. */
  url: string;
  engine: 'postgres' | 'pglite';
  /** Drops the database (or stops the embedded one); safe to call twice. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file: `test_<random>` on the server of `DATABASE_URL`,
 * or an embedded PGlite served on 127.0.0.1 when there is none. Either way the code under test
 * reaches it through a connection string, as it reaches production.
 */
export async function throwawayDatabase(): Promise<ThrowawayDatabase> {
  if (DATABASE_URL === undefined) {
    const { PGlite } = await import('@electric-sql/pglite');
    const { servePglite } = await import('./pglite-server.ts');
    const db = await PGlite.create();
    const served = await servePglite(db);
    let open = true;
    return {
      url: served.url,
      engine: 'pglite',
      drop: async () => {
        if (!open) return;
        open = false;
        await served.close();
        await db.close();
      },
    };
  }
  const name = uniqueName('test');
  await withClient(DATABASE_URL, (c) => c.query(`create database "${name}"`));
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  let open = true;
  return {
    url: url.toString(),
    engine: 'postgres',
    drop: async () => {
      if (!open) return;
      open = false;
      await withClient(DATABASE_URL, (c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

/** Runs `fn` with a client connected to `url`, and closes it. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Names of the throwaway replay databases still on the server (there should be none after a run). */
export async function leftoverReplayDatabases(url = serverUrl()): Promise<string[]> {
  const r = await withClient(url, (c) => c.query<{ datname: string }>("select datname from pg_database where datname like 'gates_replay_%' order by 1"));
  return r.rows.map((x) => x.datname);
}

/** A unique name for a database a test creates itself. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}
