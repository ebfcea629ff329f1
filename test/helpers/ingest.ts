import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { baselineSql } from '../../gates/db/engine.ts';
import { ENGINE_DIR } from '../../gates/core/artifacts.ts';
import { throwawayDatabase } from './pg.ts';

/** The repository's migrations in version order. */
export function migrationSql(): Array<{ file: string; sql: string }> {
  const dir = path.join(ENGINE_DIR, 'migrations');
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{14}_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ file: f, sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

export interface TestDb {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * A throwaway database (on the server of DATABASE_URL, else the embedded engine) with the
 * Supabase baseline and every migration applied, each in one transaction.
 */
export async function migratedDb(): Promise<TestDb> {
  const db = await throwawayDatabase();
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(baselineSql());
    for (const m of migrationSql()) {
      await c.query('begin');
      try {
        await c.query(m.sql);
        await c.query('commit');
      } catch (e) {
        await c.query('rollback');
        throw new Error(`${m.file}: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    await c.end();
    await db.drop();
    throw e;
  }
  await c.end();
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  // A connection cut while the database is dropped must not end the process.
  pool.on('error', () => undefined);
  return {
    url: db.url,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      await db.drop();
    },
  };
}

export interface TestServer {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/** A real node:http server on 127.0.0.1, on a free port. */
export async function listen(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
