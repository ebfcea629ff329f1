import pg from 'pg';
import type { RunInfo } from '../artifacts/run-info.ts';
import { findingText } from '../reporters/util.ts';

/** What a publish reads: the gate report as written to gate-report.json. */
export interface PublishedReport {
  run: RunInfo;
  findings: Array<{
    policy: string;
    severity: string;
    message: string;
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    fingerprint: string;
    docsUrl?: string;
    data?: Record<string, unknown>;
  }>;
  summary: { errors: number; warnings: number; notices: number; internalErrors?: number };
}

export interface PublishOutcome {
  /** False when this run id was already published (nothing was written). */
  stored: boolean;
  findings: number;
  /** Findings first seen in this run. */
  new: number;
  /** Findings gone since the previous run of the ref, now marked resolved. */
  resolved: number;
  /** The previous run of the same ref, when there is one. */
  previousRun: string | null;
}

/** A publish that could not be done: the message says why and what to do. */
export class PublishError extends Error {}

/** The URL without its credentials, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'the given URL (it does not parse)';
  }
}

const REQUIRED = ['ops.advisor_runs', 'ops.advisor_findings', 'ops.run_events'];

/**
 * Writes a gate run into the ops schema in one transaction, with set-based statements (the findings
 * go as one array per column through unnest, never a row per round trip):
 * - `ops.advisor_runs`: the run, once per run id (publishing it again stores nothing);
 * - `ops.advisor_findings`: every finding, `open`; one still open on the previous run of the same
 *   ref keeps that run's first-seen run (the earlier row becomes `superseded`); one gone since is
 *   marked `resolved` by this run;
 * - `ops.run_events`: one row saying what was published.
 */
export async function publishReport(url: string, report: PublishedReport, opts: { connectTimeoutMs?: number } = {}): Promise<PublishOutcome> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000, application_name: 'odooops-gates publish' });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    throw new PublishError(
      `--publish: cannot reach the database at ${describeUrl(url)}: ${(e as Error).message || (e as { code?: string }).code || String(e)} — check DATABASE_URL or --publish-url and that the server is up`,
    );
  }
  try {
    const missing = await client.query<{ name: string }>(`select name from unnest($1::text[]) as name where to_regclass(name) is null`, [REQUIRED]);
    if (missing.rows.length) {
      throw new PublishError(
        `--publish: ${missing.rows.map((r) => r.name).join(', ')} ${missing.rows.length === 1 ? 'does' : 'do'} not exist on ${describeUrl(url)} — apply the migrations of migrations/ to that database first`,
      );
    }
    const cols = await client.query<{ n: number }>(
      `select count(*)::int as n from information_schema.columns where table_schema = 'ops' and table_name = 'advisor_findings' and column_name in ('fingerprint', 'first_seen_run_id', 'resolved_run_id', 'status')`,
    );
    if (cols.rows[0]?.n !== 4) {
      throw new PublishError(
        `--publish: ops.advisor_findings on ${describeUrl(url)} lacks the columns of migrations/20261129200100_ops_advisor_gate_runs.sql — apply the migrations to that database first`,
      );
    }
    return await publishInTransaction(client, report);
  } catch (e) {
    if (e instanceof PublishError) throw e;
    throw new PublishError(`--publish: writing the run to ${describeUrl(url)} failed: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

async function publishInTransaction(client: pg.Client, report: PublishedReport): Promise<PublishOutcome> {
  const { run } = report;
  await client.query('begin');
  try {
    // Runs of one ref are published one at a time, so "the previous run" is well defined.
    await client.query(`select pg_advisory_xact_lock(hashtext('odooops-gates publish ' || coalesce($1, '') || ' ' || coalesce($2, '')))`, [
      run.repository,
      run.ref,
    ]);
    const started = new Date(run.started_at);
    const finished = new Date(started.getTime() + run.duration_ms);
    const inserted = await client.query(
      `insert into ops.advisor_runs (id, status, triggered_by, started_at, finished_at, repository, ref, commit_sha, base, event, engine_version, duration_ms, summary)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       on conflict (id) do nothing
       returning id`,
      [
        run.id,
        (report.summary.internalErrors ?? 0) > 0 ? 'failed' : 'succeeded',
        run.event,
        started.toISOString(),
        finished.toISOString(),
        run.repository,
        run.ref,
        run.commit,
        run.base,
        run.event,
        `${run.engine.name}@${run.engine.version}`,
        run.duration_ms,
        JSON.stringify(report.summary),
      ],
    );
    if (inserted.rowCount === 0) {
      await client.query('rollback');
      return { stored: false, findings: report.findings.length, new: 0, resolved: 0, previousRun: null };
    }
    const prev = await client.query<{ id: string }>(
      `select id from ops.advisor_runs
        where id <> $1 and ref is not distinct from $2 and repository is not distinct from $3 and started_at <= $4
        order by started_at desc, id desc limit 1`,
      [run.id, run.ref, run.repository, started.toISOString()],
    );
    const previousRun = prev.rows[0]?.id ?? null;
    const f = report.findings;
    // Each column goes as one Postgres array literal and comes back row by row through unnest:
    // one statement for every finding, and the cheapest form for the server to parse.
    const ins = await client.query<{ fresh: number }>(
      `with incoming as (
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::int[], $9::text[], $10::text[], $11::jsonb[])
           as x(policy, severity, message, file, line, col, end_line, end_col, fingerprint, docs_url, data)
       ), earlier as (
         select distinct on (fingerprint) fingerprint, first_seen_run_id
           from ops.advisor_findings
          where run_id = $12 and status = 'open'
          order by fingerprint, first_seen_run_id
       ), written as (
         insert into ops.advisor_findings
           (run_id, rule, severity, subject, message, detail, policy, file, start_line, start_column, end_line, end_column,
            fingerprint, commit_sha, source, docs_url, ref, status, first_seen_run_id)
         select $13, i.policy, i.severity, i.file || ':' || i.line, i.message, i.data, i.policy, i.file,
                i.line, i.col, i.end_line, i.end_col, i.fingerprint, $14, 'gates', i.docs_url, $15, 'open',
                coalesce(e.first_seen_run_id, $13)
           from incoming i left join earlier e using (fingerprint)
         returning first_seen_run_id
       )
       select count(*) filter (where first_seen_run_id = $13)::int as fresh from written`,
      [
        pgArray(f.map((x) => x.policy)),
        pgArray(f.map((x) => x.severity)),
        pgArray(f.map((x) => findingText(x))),
        pgArray(f.map((x) => x.file)),
        pgArray(f.map((x) => x.line)),
        pgArray(f.map((x) => x.column)),
        pgArray(f.map((x) => x.endLine)),
        pgArray(f.map((x) => x.endColumn)),
        pgArray(f.map((x) => x.fingerprint)),
        pgArray(f.map((x) => x.docsUrl ?? null)),
        pgArray(f.map((x) => JSON.stringify(x.data ?? {}))),
        previousRun,
        run.id,
        run.commit,
        run.ref,
      ],
    );
    let resolved = 0;
    if (previousRun) {
      const upd = await client.query<{ resolved: number }>(
        `with judged as (
           select o.id, not exists (select 1 from ops.advisor_findings n where n.run_id = $2 and n.fingerprint = o.fingerprint) as gone
             from ops.advisor_findings o
            where o.run_id = $1 and o.status = 'open'
         ),
         changed as (
           update ops.advisor_findings f
              set status = case when j.gone then 'resolved' else 'superseded' end,
                  resolved_run_id = case when j.gone then $2::uuid end
             from judged j
            where f.id = j.id
            returning f.status
         )
         select count(*) filter (where status = 'resolved')::int as resolved from changed`,
        [previousRun, run.id],
      );
      resolved = upd.rows[0]?.resolved ?? 0;
    }
    const fresh = ins.rows[0]?.fresh ?? 0;
    const { errors, warnings, notices } = report.summary;
    await client.query(`insert into ops.run_events (runner, run_id, level, message, data) values ('odooops-gates', $1, $2, $3, $4)`, [
      run.id,
      errors > 0 || (report.summary.internalErrors ?? 0) > 0 ? 'warn' : 'info',
      `gate run on ${run.ref ?? 'no ref'} at ${run.commit?.slice(0, 12) ?? 'no commit'}: ${report.findings.length} findings (${fresh} new, ${resolved} resolved)`,
      JSON.stringify({
        errors,
        warnings,
        notices,
        findings: report.findings.length,
        new: fresh,
        resolved,
        previous_run: previousRun,
        commit: run.commit,
        ref: run.ref,
      }),
    ]);
    await client.query('commit');
    return { stored: true, findings: report.findings.length, new: fresh, resolved, previousRun };
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  }
}

/**
 * A one-dimensional Postgres array literal (`{"a","b",NULL}`): every element quoted, `"` and `\`
 * escaped; numbers as they are.
 */
export function pgArray(values: ReadonlyArray<string | number | null>): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number') parts[i] = String(v);
    else parts[i] = `"${v.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `{${parts.join(',')}}`;
}
