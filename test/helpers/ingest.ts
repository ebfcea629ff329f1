import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { opsDatabase } from './ops-db.ts';

export interface TestDb {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** The database of {@link opsDatabase}, with a pool of connections to it. */
export async function migratedDb(): Promise<TestDb> {
  const db = await opsDatabase();
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
