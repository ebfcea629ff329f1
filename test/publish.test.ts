import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeUrl, PublishError, publishReport, type PublishedReport } from '../gates/publish/publish.ts';
import { opsDatabase, query } from './helpers/ops-db.ts';
import { throwawayDatabase } from './helpers/pg.ts';

let db: Awaited<ReturnType<typeof opsDatabase>>;
beforeAll(async () => {
  db = await opsDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const RUN_A = '11111111-1111-4111-8111-111111111111';
const RUN_B = '22222222-2222-4222-8222-222222222222';
const RUN_C = '33333333-3333-4333-8333-333333333333';

function finding(n: number, severity = 'error'): PublishedReport['findings'][number] {
  return {
    policy: 'ssot/schema',
    severity,
    message: `problem ${n}`,
    file: `ssot/f${n}.yaml`,
    line: n,
    column: 1,
    endLine: n,
    endColumn: 5,
    fingerprint: n.toString(16).padStart(32, '0'),
    docsUrl: 'file:///engine/docs/policies/ssot/schema.md',
  };
}

function report(id: string, startedAt: string, findings: PublishedReport['findings'], ref = 'refs/heads/main'): PublishedReport {
  return {
    run: {
      id,
      repository: 'acme/ops',
      commit: 'a'.repeat(40),
      base: null,
      ref,
      event: 'workflow_dispatch',
      started_at: startedAt,
      duration_ms: 1200,
      engine: { name: 'odooops-gates', version: '0.1.0' },
    },
    findings,
    summary: { errors: findings.length, warnings: 0, notices: 0, internalErrors: 0 },
  };
}

describe('gates check --publish, the ops schema side', () => {
  it('stores a run once, however often it is published', async () => {
    const r = report(RUN_A, '2026-11-29T10:00:00.000Z', [finding(1), finding(2), finding(3)]);
    expect(await publishReport(db.url, r)).toEqual({ stored: true, findings: 3, new: 3, resolved: 0, previousRun: null });
    expect(await publishReport(db.url, r)).toEqual({ stored: false, findings: 3, new: 0, resolved: 0, previousRun: null });
    expect(await query(db.url, 'select count(*)::int as n from ops.advisor_runs where id = $1', [RUN_A])).toEqual([{ n: 1 }]);
    expect(await query(db.url, 'select count(*)::int as n from ops.advisor_findings where run_id = $1', [RUN_A])).toEqual([{ n: 3 }]);
    expect(await query(db.url, "select runner, level, data->>'new' as fresh from ops.run_events where run_id = $1", [RUN_A])).toEqual([
      { runner: 'odooops-gates', level: 'warn', fresh: '3' },
    ]);
    const [row] = await query(
      db.url,
      `select rule, subject, policy, file, start_line, start_column, end_line, end_column, fingerprint, commit_sha, source, ref, status, first_seen_run_id::text, docs_url
      from ops.advisor_findings where run_id = $1 and file = 'ssot/f2.yaml'`,
      [RUN_A],
    );
    expect(row).toEqual({
      rule: 'ssot/schema',
      subject: 'ssot/f2.yaml:2',
      policy: 'ssot/schema',
      file: 'ssot/f2.yaml',
      start_line: 2,
      start_column: 1,
      end_line: 2,
      end_column: 5,
      fingerprint: '00000000000000000000000000000002',
      commit_sha: 'a'.repeat(40),
      source: 'gates',
      ref: 'refs/heads/main',
      status: 'open',
      first_seen_run_id: RUN_A,
      docs_url: 'file:///engine/docs/policies/ssot/schema.md',
    });
  });

  it('keeps the first-seen run of a still-open finding and marks a fixed one resolved on the next run of the ref', async () => {
    // Finding 2 is fixed, 4 is new; a run on another ref changes nothing of main's.
    await publishReport(db.url, report('44444444-4444-4444-8444-444444444444', '2026-11-29T10:30:00.000Z', [finding(1)], 'refs/heads/other'));
    const out = await publishReport(db.url, report(RUN_B, '2026-11-29T11:00:00.000Z', [finding(1), finding(3), finding(4)]));
    expect(out).toEqual({ stored: true, findings: 3, new: 1, resolved: 1, previousRun: RUN_A });
    const rows = await query<{ run: string; file: string; status: string; first: string; resolved: string | null }>(
      db.url,
      `select run_id::text as run, file, status, first_seen_run_id::text as first, resolved_run_id::text as resolved
         from ops.advisor_findings where ref = 'refs/heads/main' order by run_id, file`,
    );
    expect(rows).toEqual([
      { run: RUN_A, file: 'ssot/f1.yaml', status: 'superseded', first: RUN_A, resolved: null },
      { run: RUN_A, file: 'ssot/f2.yaml', status: 'resolved', first: RUN_A, resolved: RUN_B },
      { run: RUN_A, file: 'ssot/f3.yaml', status: 'superseded', first: RUN_A, resolved: null },
      { run: RUN_B, file: 'ssot/f1.yaml', status: 'open', first: RUN_A, resolved: null },
      { run: RUN_B, file: 'ssot/f3.yaml', status: 'open', first: RUN_A, resolved: null },
      { run: RUN_B, file: 'ssot/f4.yaml', status: 'open', first: RUN_B, resolved: null },
    ]);
    // A clean run resolves everything still open.
    expect(await publishReport(db.url, report(RUN_C, '2026-11-29T12:00:00.000Z', []))).toEqual({
      stored: true,
      findings: 0,
      new: 0,
      resolved: 3,
      previousRun: RUN_B,
    });
    expect(await query(db.url, `select level from ops.run_events where run_id = $1`, [RUN_C])).toEqual([{ level: 'info' }]);
  });

  it('carries any text and data intact: quotes, backslashes, braces, commas, newlines, NULL, unicode', async () => {
    const tricky = 'a "quoted" \\path\\ {brace}, comma\nnew line NULL — ünïcødé 🚀';
    const f = { ...finding(9), message: tricky, file: 'ssot/we{ird},"name".yaml', data: { text: tricky, n: [1, null] } };
    await publishReport(db.url, report('55555555-5555-4555-8555-555555555555', '2026-11-29T09:00:00.000Z', [f], 'refs/heads/tricky'));
    expect(await query(db.url, `select message, file, detail, subject from ops.advisor_findings where ref = 'refs/heads/tricky'`)).toEqual([
      { message: tricky, file: 'ssot/we{ird},"name".yaml', detail: { text: tricky, n: [1, null] }, subject: 'ssot/we{ird},"name".yaml:9' },
    ]);
  });

  it('says clearly when the ops tables are missing', async () => {
    const empty = await throwawayDatabase();
    try {
      const e = await publishReport(empty.url, report(RUN_A, '2026-11-29T10:00:00.000Z', [])).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(PublishError);
      expect((e as Error).message).toBe(
        `--publish: ops.advisor_runs, ops.advisor_findings, ops.run_events do not exist on ${describeUrl(empty.url)} — apply the migrations of migrations/ to that database first`,
      );
    } finally {
      await empty.drop();
    }
  });

  it('says clearly when the database is unreachable, without its password', async () => {
    const e = await publishReport('postgres://gates:s3cret-pw@127.0.0.1:1/nowhere', report(RUN_A, '2026-11-29T10:00:00.000Z', [])).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PublishError);
    expect((e as Error).message).toMatch(
      /^--publish: cannot reach the database at 127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED.* — check DATABASE_URL or --publish-url and that the server is up$/,
    );
    expect((e as Error).message).not.toContain('s3cret');
  });
});
