import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from './clock.ts';
import type { Level, Logger } from './log.ts';
import type { Redactor } from './redact.ts';

/** The run tables of the runners: one row per run. */
export const RUN_TABLES = {
  'ops-do-ingest': { table: 'ops.do_ingest_runs', counts: 'resources' },
  'starters-ingest': { table: 'ops.starters_ingest_runs', counts: 'counts' },
} as const;
export type LedgerRunner = keyof typeof RUN_TABLES;

export type RunStatus = 'succeeded' | 'failed';

/**
 * What a run leaves behind, written outside the run's data transaction so that a failed run is
 * recorded too: its row in the runner's run table and its events in ops.run_events (the console's
 * Logs page). Every text is redacted before it is logged or stored.
 */
export class RunLedger {
  readonly runId = randomUUID();
  private readonly log: Logger;

  constructor(
    private readonly pool: pg.Pool,
    readonly runner: LedgerRunner,
    private readonly clock: Clock,
    private readonly redactor: Redactor,
    logger: Logger,
  ) {
    this.log = logger.child({ runner, run_id: this.runId });
  }

  async event(level: Level, message: string, data: Record<string, unknown> = {}): Promise<void> {
    const msg = this.redactor.text(message);
    const clean = this.redactor.value(data);
    this.log.log(level, msg, clean);
    await this.pool.query('insert into ops.run_events (runner, run_id, level, message, data, created_at) values ($1, $2, $3, $4, $5, $6)', [
      this.runner,
      this.runId,
      level,
      msg,
      JSON.stringify(clean),
      new Date(this.clock.now()),
    ]);
  }

  async open(): Promise<void> {
    const { table } = RUN_TABLES[this.runner];
    await this.pool.query(`insert into ${table} (id, status, started_at) values ($1, 'running', $2)`, [this.runId, new Date(this.clock.now())]);
  }

  async close(
    status: RunStatus,
    fields: { counts: Record<string, unknown>; attempts: number; error?: string; extra?: Record<string, unknown> },
  ): Promise<void> {
    const { table, counts } = RUN_TABLES[this.runner];
    const extra = Object.entries(fields.extra ?? {});
    const sets = extra.map(([k], i) => `, ${k} = $${i + 7}`).join('');
    await this.pool.query(`update ${table} set status = $2, finished_at = $3, ${counts} = $4, attempts = $5, error = $6${sets} where id = $1`, [
      this.runId,
      status,
      new Date(this.clock.now()),
      JSON.stringify(fields.counts),
      fields.attempts,
      fields.error === undefined ? null : this.redactor.text(fields.error),
      ...extra.map(([, v]) => v),
    ]);
  }
}

/** A held runner lock: the session that holds it, and how to let it go. */
export interface RunLock {
  client: pg.PoolClient;
  release: () => Promise<void>;
}

/**
 * Excludes concurrent runs of one runner with a session-level Postgres advisory lock, held on a
 * dedicated connection for the whole run (a crashed process releases it with its session).
 * Returns undefined when another run holds it.
 */

async function tryRunLock(pool: pg.Pool, runner: string): Promise<RunLock | undefined> {
  const client = await pool.connect();
  try {
    const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [`odooops-ingest:${runner}`]);
    if (!r.rows[0]?.ok) {
      client.release();
      return undefined;
    }
  } catch (e) {
    client.release(e as Error);
    throw e;
  }
  return {
    client,
    release: async () => {
      try {
        await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [`odooops-ingest:${runner}`]);
        client.release();
      } catch (e) {
        client.release(e as Error);
      }
    },
  };
}

/** Rows left `running` by a process that ended without closing them (the lock is free, so it is gone). */
export async function closeAbandonedRuns(pool: pg.Pool, runner: LedgerRunner, clock: Clock): Promise<number> {
  const { table } = RUN_TABLES[runner];
  const r = await pool.query(
    `update ${table} set status = 'failed', finished_at = $1, error = 'interrupted: the process ended before the run finished' where status = 'running'`,
    [new Date(clock.now())],
  );
  return r.rowCount ?? 0;
}

/** The runner's lock, or, when another run holds it, why this run stops (already recorded on its ledger). */
export async function takeRunLock(pool: pg.Pool, ledger: RunLedger): Promise<(RunLock & { taken?: undefined }) | { taken: string }> {
  const lock = await tryRunLock(pool, ledger.runner);
  if (lock) return lock;
  const other = await runningRun(pool, ledger.runner);
  const taken = `another ${ledger.runner} run is running${other ? ` (run ${other.id}, started ${other.started_at.toISOString()})` : ''}; this run exits without reading or writing anything`;
  await ledger.event('warn', taken, { running_run_id: other?.id ?? null });
  return { taken };
}

/** The running run's id and start, for the message of a run that finds the lock taken. */
async function runningRun(pool: pg.Pool, runner: LedgerRunner): Promise<{ id: string; started_at: Date } | undefined> {
  const { table } = RUN_TABLES[runner];
  const r = await pool.query<{ id: string; started_at: Date }>(`select id, started_at from ${table} where status = 'running' order by started_at desc limit 1`);
  return r.rows[0];
}
