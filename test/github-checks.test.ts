import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../gates/core/finding.ts';
import { conclusionOf, publishCheckRun, toAnnotation, type CheckRunTarget, type CheckRunTuning } from '../gates/github/checks.ts';
import { FakeGitHub } from './github-fake.ts';
import { finding, policyRun, result } from './reporters-canned.ts';

const TOKEN = 'ghs_secretTokenValue1234567890';
const SHA = '0123456789abcdef0123456789abcdef01234567';
// Real waits, kept short: back-off base 5 ms, one second of retry-after = 40 ms, no write spacing.
const FAST: CheckRunTuning = { retryBaseMs: 5, retryAfterUnitMs: 40, writeIntervalMs: 0, timeoutMs: 5000 };

let gh: FakeGitHub;
let target: CheckRunTarget;
beforeEach(async () => {
  gh = new FakeGitHub();
  const url = await gh.start();
  target = { apiUrl: url, token: TOKEN, owner: 'acme', repo: 'ops', headSha: SHA, name: 'OdooOps Gates' };
});
afterEach(() => gh.stop());

function findings(n: number): Finding[] {
  return Array.from({ length: n }, (_, i) =>
    finding({
      policy: 'ssot/schema',
      file: `ssot/f${String(i).padStart(3, '0')}.yaml`,
      line: i + 1,
      column: 3,
      endColumn: 7,
      severity: i % 3 === 0 ? 'error' : 'warning',
      message: `problem ${i}`,
    }),
  );
}

const report = (fs: Finding[], conclusion: 'failure' | 'neutral' | 'success' = 'failure') => ({ conclusion, title: 'T', summary: 'S', annotations: fs });
const RUNS = '/repos/acme/ops/check-runs';
const LIST = `/repos/acme/ops/commits/${SHA}/check-runs`;

describe('check run', () => {
  it('120 findings: one create on the head SHA, three annotation batches of at most 50, one completion', async () => {
    const logs: string[] = [];
    const out = await publishCheckRun(target, report(findings(120)), FAST, (l) => logs.push(l));
    expect(out).toEqual({ ok: true, id: 7001, reused: false, annotations: 120, batches: 3 });
    expect(gh.calls).toEqual([`GET ${LIST}`, `POST ${RUNS}`, `PATCH ${RUNS}/7001`, `PATCH ${RUNS}/7001`, `PATCH ${RUNS}/7001`, `PATCH ${RUNS}/7001`]);
    const [list, create, b1, b2, b3, done] = gh.received;
    expect(list?.query).toEqual({ check_name: 'OdooOps Gates', filter: 'all', per_page: '100' });
    expect(create?.body).toEqual({ name: 'OdooOps Gates', head_sha: SHA, status: 'in_progress' });
    const sizes = [b1, b2, b3].map((r) => ((r?.body?.output as { annotations: unknown[] }).annotations ?? []).length);
    expect(sizes).toEqual([50, 50, 20]);
    expect(done?.body).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'T', summary: 'S' } });
    expect(done?.body?.output).not.toHaveProperty('annotations');
    expect(gh.received.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
    const run = gh.runs.get(7001);
    expect(run?.annotations).toHaveLength(120);
    expect(run?.annotations[0]).toEqual({
      path: 'ssot/f000.yaml',
      start_line: 1,
      end_line: 1,
      start_column: 3,
      end_column: 6,
      annotation_level: 'failure',
      title: 'ssot/schema',
      message: 'problem 0',
    });
    expect(run?.status).toBe('completed');
    expect(logs).toEqual([]);
  });

  it('a re-run for the same SHA updates its check run instead of creating another', async () => {
    expect((await publishCheckRun(target, report(findings(2)), FAST)).ok).toBe(true);
    const second = await publishCheckRun(target, report([], 'success'), FAST);
    expect(second).toEqual({ ok: true, id: 7001, reused: true, annotations: 0, batches: 0 });
    expect(gh.calls.slice(4)).toEqual([`GET ${LIST}`, `PATCH ${RUNS}/7001`, `GET ${RUNS}/7001/annotations`, `PATCH ${RUNS}/7001`]);
    expect(gh.received[5]?.body).toEqual({ status: 'in_progress' });
    expect(gh.runs.size).toBe(1);
    expect(gh.runs.get(7001)).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  it('a re-run sends only the annotations its check run lacks (GitHub cannot delete them)', async () => {
    const first = findings(120);
    expect((await publishCheckRun(target, report(first), FAST)).ok).toBe(true);
    const extra = finding({ policy: 'ssot/schema', file: 'ssot/new.yaml', line: 4, message: 'new problem' });
    const again = await publishCheckRun(target, report([extra, ...first]), FAST);
    expect(again).toEqual({ ok: true, id: 7001, reused: true, annotations: 1, batches: 1 });
    expect(gh.calls.slice(6)).toEqual([
      `GET ${LIST}`,
      `PATCH ${RUNS}/7001`,
      `GET ${RUNS}/7001/annotations`,
      `GET ${RUNS}/7001/annotations`,
      `PATCH ${RUNS}/7001`,
      `PATCH ${RUNS}/7001`,
    ]);
    expect(gh.received[9]?.query).toEqual({ per_page: '100', page: '2' });
    expect(gh.runs.get(7001)?.annotations).toHaveLength(121);
  });

  it('keeps the summary within 65,535 characters and the title within 255', async () => {
    const out = await publishCheckRun(target, { conclusion: 'neutral', title: 't'.repeat(300), summary: 'é'.repeat(70_000), annotations: [] }, FAST);
    expect(out.ok).toBe(true);
    const output = gh.received.at(-1)?.body?.output as { title: string; summary: string };
    expect([...output.summary]).toHaveLength(65_535);
    expect(output.summary.endsWith('…')).toBe(true);
    expect([...output.title]).toHaveLength(255);
    expect(gh.runs.get(7001)?.conclusion).toBe('neutral');
  });

  it('a 403 from a read-only token comes back as forbidden, without retries', async () => {
    gh.faults.push({ method: 'POST', path: /check-runs$/, status: 403, body: { message: 'Resource not accessible by integration' } });
    const out = await publishCheckRun(target, report(findings(3)), FAST);
    expect(out).toMatchObject({ ok: false, status: 403, forbidden: true });
    expect(gh.calls).toEqual([`GET ${LIST}`, `POST ${RUNS}`]);
  });

  it('a 500 then success is retried', async () => {
    gh.faults.push({ method: 'POST', path: /check-runs$/, status: 500, body: { message: 'Server Error' } });
    const out = await publishCheckRun(target, report(findings(1)), FAST);
    expect(out.ok).toBe(true);
    expect(gh.calls).toEqual([`GET ${LIST}`, `POST ${RUNS}`, `POST ${RUNS}`, `PATCH ${RUNS}/7001`, `PATCH ${RUNS}/7001`]);
    expect(gh.runs.size).toBe(1);
  });

  it('retries are bounded: a server that keeps failing is given up on', async () => {
    for (let i = 0; i < 10; i++) gh.faults.push({ method: 'GET', path: /check-runs$/, status: 502, body: { message: 'Bad Gateway' } });
    const out = await publishCheckRun(target, report(findings(1)), { ...FAST, retries: 2 });
    expect(out).toMatchObject({ ok: false, status: 502, forbidden: false });
    expect(gh.calls).toEqual([`GET ${LIST}`, `GET ${LIST}`, `GET ${LIST}`]);
  });

  it('a secondary rate limit with retry-after is waited out, then retried', async () => {
    gh.faults.push({
      method: 'PATCH',
      path: /check-runs\/\d+$/,
      status: 403,
      headers: { 'retry-after': '3' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    });
    const logs: string[] = [];
    const out = await publishCheckRun(target, report(findings(1)), FAST, (l) => logs.push(l));
    expect(out.ok).toBe(true);
    expect(gh.calls).toEqual([`GET ${LIST}`, `POST ${RUNS}`, `PATCH ${RUNS}/7001`, `PATCH ${RUNS}/7001`, `PATCH ${RUNS}/7001`]);
    const [, , limited, retried] = gh.received;
    // retry-after 3 s at 40 ms per second: at least 120 ms between the refused and the retried request.
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(115);
    expect(logs).toEqual([`gates: GitHub secondary rate limit on PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}; retrying after 3 s`]);
    expect(gh.runs.get(7001)?.annotations).toHaveLength(1);
  });

  it('never lets the token into its messages, even when the server echoes it', async () => {
    gh.faults.push({ method: 'GET', path: /check-runs$/, status: 401, body: { message: `Bad credentials: token ${TOKEN}` } });
    const logs: string[] = [];
    const out = await publishCheckRun(target, report(findings(1)), FAST, (l) => logs.push(l));
    expect(out.ok).toBe(false);
    const text = JSON.stringify(out) + logs.join('\n');
    expect(text).not.toContain(TOKEN);
    expect(text).toContain('***');
  });
});

describe('annotations and conclusion', () => {
  it('puts columns only on single-line ranges, caps the title and the message', () => {
    const multi = toAnnotation(finding({ policy: 'a/b', file: 'x.yaml', line: 2, endLine: 4, column: 3, endColumn: 5, message: 'm', severity: 'notice' }));
    expect(multi).toEqual({ path: 'x.yaml', start_line: 2, end_line: 4, annotation_level: 'notice', title: 'a/b', message: 'm' });
    const long = toAnnotation(finding({ policy: `a/${'t'.repeat(300)}`, file: 'x.yaml', line: 1, message: 'é'.repeat(40_000) }));
    expect([...long.title]).toHaveLength(255);
    expect(long.title.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(long.message)).toBeLessThanOrEqual(64 * 1024 - 1);
    expect(long.message.endsWith('…')).toBe(true);
  });

  it('is failure with errors, neutral with only warnings or notices, success when clean', () => {
    const w = finding({ policy: 'a/b', file: 'x', line: 1, message: 'm', severity: 'warning' });
    const e = finding({ policy: 'a/b', file: 'x', line: 1, message: 'm' });
    expect(conclusionOf(result([e, w], [policyRun('a/b')]))).toBe('failure');
    expect(conclusionOf(result([w], [policyRun('a/b')]))).toBe('neutral');
    expect(conclusionOf(result([], [policyRun('a/b')]))).toBe('success');
    expect(conclusionOf(result([], [policyRun('a/b')], 1))).toBe('failure');
  });
});
