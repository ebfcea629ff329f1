import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Names of the throwaway replay databases still on the server (there should be none after a run). */
export async function leftoverReplayDatabases(url = DATABASE_URL): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ datname: string }>("select datname from pg_database where datname like 'gates_replay_%' order by 1");
    return r.rows.map((x) => x.datname);
  } finally {
    await c.end();
  }
}

/** A unique name for a database a test creates itself. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}
