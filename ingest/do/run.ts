import type pg from 'pg';
import { HttpClient, HttpError } from '../lib/http.ts';
import { closeAbandonedRuns, RunLedger, takeRunLock } from '../lib/ledger.ts';
import { inTransaction, type RunnerDeps, type RunResult } from '../lib/deps.ts';
import { DO_RUNNER, type DoConfig } from './config.ts';
import { BadPageError, KINDS, readPage, type Kind } from './resources.ts';

interface Listing {
  name: string;
  kind: Kind;
  rows: Record<string, unknown>[];
  pages: number;
  /** Every page up to the last (no `links.pages.next`) was read. */
  complete: boolean;
}

const hints = {
  401: 'the token is invalid or lacks read scope; create a read token in DigitalOcean (API → Tokens) and set DIGITALOCEAN_TOKEN',
  403: 'the token lacks read scope for this resource; grant it read access (droplet, database, firewall, actions)',
  404: 'no such endpoint; check DIGITALOCEAN_API_URL and the endpoints in ssot/providers/digitalocean/provider.yaml',
};

/**
 * The DigitalOcean inventory run (plan task 12): lists every resource of the SSOT through the API
 * v2, then writes them all in one transaction; a resource no longer listed is marked gone.
 * Concurrent runs are excluded by an advisory lock; a failed run changes no inventory row.
 */
export async function runDoIngest(config: DoConfig, deps: RunnerDeps): Promise<RunResult> {
  const { clock, redactor } = deps;
  redactor.add(config.tokenSecret, config.token);
  const http = new HttpClient({
    service: 'DigitalOcean',
    fetch: deps.fetch,
    clock,
    retry: config.retry,
    deadline: clock.now() + config.runDeadlineMs,
    timeoutMs: config.requestTimeoutMs,
    random: deps.random,
    redactor,
    hints,
    headers: { authorization: `Bearer ${config.token}` },
  });

  if (config.dryRun || !deps.pool) {
    if (!config.dryRun) throw new Error('a database pool is required unless --dry-run is given');
    try {
      const listings = await listAll(config, http, (info) => deps.log.warn('retry', { ...info }));
      const counts = Object.fromEntries(listings.map((l) => [l.name, { listed: l.rows.length, pages: l.pages }]));
      const message = `dry run: listed ${listings.map((l) => `${l.rows.length} ${l.name}`).join(', ')}; nothing written`;
      deps.log.info(message, { counts, attempts: http.attempts });
      return { status: 'dry-run', message, counts, attempts: http.attempts };
    } catch (e) {
      const message = redactor.error(e);
      deps.log.error(message, { attempts: http.attempts });
      return { status: 'failed', message, counts: {}, attempts: http.attempts };
    }
  }

  const pool = deps.pool;
  const ledger = new RunLedger(pool, DO_RUNNER, clock, redactor, deps.log);
  const lock = await takeRunLock(pool, ledger);
  if (lock.taken !== undefined) return { status: 'locked', runId: ledger.runId, message: lock.taken, counts: {}, attempts: 0 };
  try {
    const abandoned = await closeAbandonedRuns(pool, DO_RUNNER, clock);
    await ledger.open();
    await ledger.event('info', 'run started', {
      base_url: config.baseUrl,
      resources: config.resources.map((r) => r.name),
      abandoned_runs_closed: abandoned,
    });
    let listings: Listing[];
    try {
      listings = await listAll(config, http, (info) =>
        ledger.event(
          'warn',
          `retry: ${info.status ? `HTTP ${info.status}` : (info.error ?? 'the request failed')} on attempt ${info.attempt}; waiting ${info.waitMs} ms (${info.basis})`,
          {
            url: info.url,
            attempt: info.attempt,
            status: info.status ?? null,
            error: info.error ?? null,
            wait_ms: info.waitMs,
            basis: info.basis,
          },
        ),
      );
    } catch (e) {
      return await fail(ledger, e, http.attempts);
    }
    let counts: Record<string, unknown>;
    try {
      counts = await inTransaction(lock.client, () => write(lock.client, listings, ledger.runId, new Date(clock.now())));
    } catch (e) {
      return await fail(ledger, new Error(`writing the inventory failed and was rolled back: ${redactor.error(e)}`), http.attempts);
    }
    await ledger.close('succeeded', { counts, attempts: http.attempts });
    const message = `run succeeded: ${listings.map((l) => `${l.rows.length} ${l.name}`).join(', ')}`;
    await ledger.event('info', message, { counts, attempts: http.attempts });
    return { status: 'succeeded', runId: ledger.runId, message, counts, attempts: http.attempts };
  } finally {
    await lock.release();
  }
}

async function fail(ledger: RunLedger, e: unknown, attempts: number): Promise<RunResult> {
  const kind = e instanceof BadPageError ? 'bad page' : e instanceof HttpError ? 'http' : 'error';
  const message = e instanceof Error ? e.message : String(e);
  await ledger.close('failed', { counts: {}, attempts, error: message });
  await ledger.event('error', `run failed: ${message}`, { kind, attempts });
  return { status: 'failed', runId: ledger.runId, message: `run failed: ${message}`, counts: {}, attempts };
}

async function listAll(config: DoConfig, http: HttpClient, onRetry: NonNullable<HttpClient['opts']['onRetry']>): Promise<Listing[]> {
  http.opts.onRetry = onRetry;
  const out: Listing[] = [];
  const base = new URL(config.baseUrl);
  for (const r of config.resources) {
    const kind = KINDS[r.name];
    if (!kind) throw new Error(`resource ${r.name} of the SSOT has no mapping in this runner; known: ${Object.keys(KINDS).join(', ')}`);
    const first = new URL(r.endpoint, base);
    first.searchParams.set('per_page', String(r.perPage));
    let url: string | undefined = first.toString();
    const rows: Record<string, unknown>[] = [];
    let pages = 0;
    while (url) {
      if (pages >= config.maxPages) {
        throw new Error(
          `${r.name}: more than ${config.maxPages} pages of ${r.perPage}; the listing is not complete, so nothing is written — raise the page bound if the account is that large`,
        );
      }
      pages++;
      const res = await http.get(url);
      const page = readPage(r.name, kind, pages, url, res.text);
      rows.push(...page.rows);
      if (page.next) {
        const next: URL = new URL(page.next, url);
        if (next.origin !== base.origin) {
          throw new BadPageError(
            `${r.name} page ${pages} (GET ${url}): field \`links.pages.next\` points to ${next.origin}, not ${base.origin}; the token is not sent there — nothing was written`,
          );
        }
        url = next.toString();
      } else url = undefined;
    }
    out.push({ name: r.name, kind, rows, pages, complete: true });
  }
  return out;
}

async function write(client: pg.PoolClient, listings: Listing[], runId: string, now: Date): Promise<Record<string, unknown>> {
  const counts: Record<string, unknown> = {};
  for (const l of listings) {
    const { kind } = l;
    const cols = kind.columns.map(([c]) => c);
    const idType = kind.id === 'integer' ? 'bigint' : 'uuid';
    const defs = [`id ${idType}`, ...kind.columns.map(([c, t]) => `${c} ${t}`), 'raw jsonb'].join(', ');
    const seen = new Set<unknown>();
    for (const row of l.rows) {
      if (seen.has(row.id)) throw new Error(`${l.name}: id ${String(row.id)} is listed twice; the listing changed while it was paged — run again`);
      seen.add(row.id);
    }
    const r = await client.query(
      `insert into ${kind.table} (id, ${cols.join(', ')}, raw, ingest_run_id, synced_at${kind.tracksGone ? ', gone_at' : ''})
       select x.id, ${cols.map((c) => `x.${c}`).join(', ')}, x.raw, $2, $3${kind.tracksGone ? ', null' : ''}
         from jsonb_to_recordset($1::jsonb) as x(${defs})
       on conflict (id) do update set ${[...cols, 'raw', 'ingest_run_id', 'synced_at'].map((c) => `${c} = excluded.${c}`).join(', ')}${kind.tracksGone ? ', gone_at = null' : ''}`,
      [JSON.stringify(l.rows), runId, now],
    );
    let gone = 0;
    // Only a listing read to its last page proves that a missing resource is gone.
    if (kind.tracksGone && l.complete) {
      const g = await client.query(`update ${kind.table} set gone_at = $2 where gone_at is null and not (id = any($1::${idType}[]))`, [[...seen], now]);
      gone = g.rowCount ?? 0;
    }
    counts[l.name] = { listed: r.rowCount ?? 0, pages: l.pages, ...(kind.tracksGone ? { gone } : {}) };
  }
  return counts;
}
