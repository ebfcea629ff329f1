import type pg from 'pg';
import type { Clock } from './clock.ts';
import type { Logger } from './log.ts';
import type { Redactor } from './redact.ts';

/** What a runner is given: tests pass real servers' fetch, a throwaway database and a fake clock. */
export interface RunnerDeps {
  fetch: typeof fetch;
  /** Absent only in a dry run. */
  pool?: pg.Pool;
  clock: Clock;
  log: Logger;
  redactor: Redactor;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

/** A run's outcome. `locked`: another run of the runner held the lock, so this one did nothing. */
export interface RunResult {
  status: 'succeeded' | 'failed' | 'locked' | 'dry-run';
  runId?: string;
  message: string;
  counts: Record<string, unknown>;
  attempts: number;
}

/** One data transaction on a dedicated client; rolled back on any error. */
export async function inTransaction<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    const out = await fn();
    await client.query('commit');
    return out;
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  }
}
