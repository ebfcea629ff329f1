import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { baselineSql } from '../../gates/db/engine.ts';
import { DATABASE_URL, uniqueName } from './pg.ts';

const MIGRATIONS = path.resolve(import.meta.dirname, '..', '..', 'migrations');

/** A throwaway database on the test server; `migrate` applies the baseline and every migration of this repository. */
export async function throwawayDatabase(prefix: string, opts: { migrate?: boolean } = {}): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = uniqueName(prefix);
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(DATABASE_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  if (opts.migrate) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(baselineSql());
      for (const f of fs.readdirSync(MIGRATIONS).filter((x) => x.endsWith('.sql')).sort()) {
        await c.query(`begin;\n${fs.readFileSync(path.join(MIGRATIONS, f), 'utf8')}\ncommit;`);
      }
    } finally {
      await c.end();
    }
  }
  return {
    url,
    name,
    drop: async () => {
      const a = new pg.Client({ connectionString: DATABASE_URL });
      await a.connect();
      try {
        await a.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Runs one query on the database at `url`. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}
