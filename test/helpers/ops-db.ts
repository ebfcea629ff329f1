import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { baselineSql } from '../../gates/db/engine.ts';
import { throwawayDatabase, type ThrowawayDatabase } from './pg.ts';

const MIGRATIONS = path.resolve(import.meta.dirname, '..', '..', 'migrations');

/** A throwaway database with the Supabase baseline and every migration of this repository applied. */
export async function opsDatabase(): Promise<ThrowawayDatabase> {
  const db = await throwawayDatabase();
  try {
    await withClient(db.url, async (c) => {
      await c.query(baselineSql());
      for (const f of fs
        .readdirSync(MIGRATIONS)
        .filter((x) => x.endsWith('.sql'))
        .sort()) {
        await c.query(`begin;\n${fs.readFileSync(path.join(MIGRATIONS, f), 'utf8')}\ncommit;`);
      }
    });
  } catch (e) {
    await db.drop();
    throw e;
  }
  return db;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Runs one query on the database at `url`. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (c) => (await c.query<T>(sql, params)).rows);
}
