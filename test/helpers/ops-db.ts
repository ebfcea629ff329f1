import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { ENGINE_DIR } from '../../gates/core/artifacts.ts';
import { baselineSql } from '../../gates/db/engine.ts';
import { throwawayDatabase, withClient, type ThrowawayDatabase } from './pg.ts';

/** The repository's migrations in version order. */
export function migrationSql(): Array<{ file: string; sql: string }> {
  const dir = path.join(ENGINE_DIR, 'migrations');
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{14}_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ file: f, sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/**
 * A throwaway database (on the server of DATABASE_URL, else the embedded engine) with the
 * Supabase baseline and every migration of this repository applied, each in one transaction.
 */
export async function opsDatabase(): Promise<ThrowawayDatabase> {
  const db = await throwawayDatabase();
  try {
    await withClient(db.url, async (c) => {
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
    });
  } catch (e) {
    await db.drop();
    throw e;
  }
  return db;
}

/** Runs one query on the database at `url`. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (c) => (await c.query<T>(sql, params)).rows);
}
