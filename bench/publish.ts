// Publishing a gate run to the ops schema: 10,000 findings through the set-based publish (one
// json_to_recordset insert) side by side with the naive peer (one INSERT per finding), on a
// throwaway database of the local Postgres (DATABASE_URL). Target: the publish in at most 1 s.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { baselineSql } from '../gates/db/engine.ts';
import { publishReport, type PublishedReport } from '../gates/publish/publish.ts';

const URL_BASE = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = 10_000;
const TARGET_MS = 1000;

function report(startedAt: Date, offset: number): PublishedReport {
  const findings = Array.from({ length: N }, (_, i) => {
    const n = i + offset;
    return {
      policy: `area/policy-${n % 40}`,
      severity: n % 3 === 0 ? 'warning' : 'error',
      message: `finding ${n}: the value at /items/${n} is not allowed — fix it`,
      file: `ssot/tree/f${n % 2000}.yaml`,
      line: (n % 300) + 1,
      column: 3,
      endLine: (n % 300) + 1,
      endColumn: 17,
      fingerprint: n.toString(16).padStart(32, '0'),
      docsUrl: `https://github.com/acme/ops/blob/${'a'.repeat(40)}/docs/policies/area/policy-${n % 40}.md`,
      data: { index: n },
    };
  });
  return {
    run: {
      id: randomUUID(),
      repository: 'acme/ops',
      commit: 'a'.repeat(40),
      base: null,
      ref: 'refs/heads/main',
      event: 'schedule',
      started_at: startedAt.toISOString(),
      duration_ms: 900,
      engine: { name: 'odooops-gates', version: '0.1.0' },
    },
    findings,
    summary: {
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      notices: 0,
      internalErrors: 0,
    },
  };
}

/** The peer: the same rows, one INSERT round trip each, in one transaction. */
async function rowByRow(url: string, r: PublishedReport): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('begin');
    await c.query(`insert into ops.advisor_runs (id, status, ref, repository, started_at) values ($1, 'succeeded', 'refs/heads/peer', $2, $3)`, [
      r.run.id,
      r.run.repository,
      r.run.started_at,
    ]);
    for (const f of r.findings) {
      await c.query(
        `insert into ops.advisor_findings (run_id, rule, severity, subject, message, detail, policy, file, start_line, start_column, end_line, end_column, fingerprint, commit_sha, docs_url, ref, first_seen_run_id)
         values ($1, $2, $3, $4, $5, $6, $2, $7, $8, $9, $10, $11, $12, $13, $14, 'refs/heads/peer', $1)`,
        [
          r.run.id,
          f.policy,
          f.severity,
          `${f.file}:${f.line}`,
          f.message,
          JSON.stringify(f.data),
          f.file,
          f.line,
          f.column,
          f.endLine,
          f.endColumn,
          f.fingerprint,
          r.run.commit,
          f.docsUrl,
        ],
      );
    }
    await c.query('commit');
  } finally {
    await c.end();
  }
}

const name = `gates_bench_publish_${randomBytes(6).toString('hex')}`;
const admin = new pg.Client({ connectionString: URL_BASE });
await admin.connect();
await admin.query(`create database "${name}"`);
const u = new URL(URL_BASE);
u.pathname = `/${name}`;
const url = u.toString();
try {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(baselineSql());
  const dir = path.resolve(import.meta.dirname, '..', 'migrations');
  for (const f of fs
    .readdirSync(dir)
    .filter((x) => x.endsWith('.sql'))
    .sort())
    await c.query(`begin;\n${fs.readFileSync(path.join(dir, f), 'utf8')}\ncommit;`);
  await c.end();

  const t = Date.parse('2026-11-29T00:00:00Z');
  const first = report(new Date(t), 0);
  const second = report(new Date(t + 60_000), N / 2); // half still open, half new, half of the first resolved
  const runs: Array<[string, number, string]> = [];
  let t0 = performance.now();
  const a = await publishReport(url, first);
  runs.push(['publish, first run of the ref (10,000 new)', performance.now() - t0, `${a.new} new`]);
  t0 = performance.now();
  const b = await publishReport(url, second);
  runs.push(['publish, next run (5,000 still open, 5,000 new, 5,000 resolved)', performance.now() - t0, `${b.new} new, ${b.resolved} resolved`]);
  t0 = performance.now();
  const again = await publishReport(url, second);
  runs.push(['publish the same run again (stored once)', performance.now() - t0, again.stored ? 'stored twice!' : 'no-op']);
  t0 = performance.now();
  await rowByRow(url, report(new Date(t + 120_000), 0));
  const peer = performance.now() - t0;
  runs.push(['peer: one INSERT per finding, one transaction', peer, '']);

  console.log(`publish ${N.toLocaleString('en')} findings to the ops schema (Postgres at ${u.hostname}:${u.port || 5432})\n`);
  const w = Math.max(...runs.map((r) => r[0].length));
  for (const [label, ms, note] of runs)
    console.log(`${label.padEnd(w)}  ${ms.toFixed(0).padStart(6)} ms  ${(peer / ms).toFixed(1).padStart(5)}× faster than the peer  ${note}`);
  const worst = Math.max(runs[0]?.[1] ?? 0, runs[1]?.[1] ?? 0);
  console.log(`\nworst publish ${worst.toFixed(0)} ms; target ≤ ${TARGET_MS} ms: ${worst <= TARGET_MS ? 'met' : 'MISSED'}`);
  if (worst > TARGET_MS) process.exitCode = 1;
} finally {
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
}
