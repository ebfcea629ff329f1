import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ON_SERVER, throwawayDatabase, type ThrowawayDatabase } from './helpers/pg.ts';

// The throwaway database every Postgres suite uses: on the server of DATABASE_URL, else an
// embedded PGlite served over the wire protocol. Both must behave as a server does for the
// things the suites rely on: pooled connections, transactions, errors, reconnects.
describe('throwawayDatabase', () => {
  let db: ThrowawayDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await throwawayDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await pool.query('create table t (id int primary key, note text)');
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('is the engine the run says it is', async () => {
    expect(db.engine).toBe(ON_SERVER ? 'postgres' : 'pglite');
    const { rows } = await pool.query<{ v: string }>('select version() as v');
    expect(rows[0]?.v).toMatch(ON_SERVER ? /^PostgreSQL \d+/ : /PGlite/);
  });

  it('runs parameterised queries and reports errors with their SQLSTATE', async () => {
    await pool.query('insert into t values ($1, $2)', [1, 'é→ unicode']);
    expect((await pool.query('select note from t where id = $1', [1])).rows).toEqual([{ note: 'é→ unicode' }]);
    await expect(pool.query('insert into t values (1, null)')).rejects.toMatchObject({ code: '23505' });
    expect((await pool.query('select count(*)::int as n from t')).rows).toEqual([{ n: 1 }]);
  });

  it('keeps two pooled transactions apart: each commits or rolls back whole', async () => {
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      await a.query('begin');
      await a.query("insert into t values (10, 'a')");
      // b's transaction waits for a's on the embedded engine and runs beside it on a server.
      const bDone = (async () => {
        await b.query('begin');
        await b.query("insert into t values (20, 'b')");
        await b.query('rollback');
      })();
      await a.query("insert into t values (11, 'a')");
      await a.query('commit');
      await bDone;
    } finally {
      a.release();
      b.release();
    }
    expect((await pool.query('select id from t where id >= 10 order by id')).rows).toEqual([{ id: 10 }, { id: 11 }]);
  });

  it('rolls back the open transaction of a client that went away', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('begin');
    await c.query("insert into t values (30, 'lost')");
    c.end().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect((await pool.query('select count(*)::int as n from t where id = 30')).rows).toEqual([{ n: 0 }]);
  });
});
