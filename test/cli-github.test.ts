import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../gates/main.ts';
import type { PolicyFinding } from '../gates/core/finding.ts';
import { definePolicy } from '../gates/core/policy.ts';
import { FakeGitHub } from './github-fake.ts';
import { git, prRepo } from './github-repo.ts';

// Reports every line holding BAD in conf/ files (error) and other/ files (warning).
const bad = definePolicy({
  id: 'test/bad-lines',
  title: 'No BAD lines',
  severity: 'error',
  appliesTo: ['conf/**', 'other/**'],
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const file of ctx.glob(['conf/**', 'other/**'])) {
      (ctx.text(file) ?? '').split('\n').forEach((l, i) => {
        if (l.includes('BAD'))
          out.push({ file, line: i + 1, column: 5, endColumn: 8, message: `BAD here: ${l}`, severity: file.startsWith('other/') ? 'warning' : 'error' });
      });
    }
    return out;
  },
});
// A policy no change of the pull request touches: skipped in --changed mode.
const docsOnly = definePolicy({ id: 'test/docs-only', title: 'Docs', severity: 'error', appliesTo: ['docs/**'], check: () => [] });
// Depends on the deleted file: a deletion makes it run.
const gone = definePolicy({ id: 'test/gone-watch', title: 'Gone', severity: 'notice', appliesTo: ['conf/gone.yaml'], check: () => [] });
const POLICIES = [bad, docsOnly, gone];

const TOKEN = 'ghs_cliTokenValue0987654321';
let repo: ReturnType<typeof prRepo>;
let tmp: string;
beforeAll(() => {
  repo = prRepo();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-cli-'));
});
afterAll(() => {
  fs.rmSync(repo.root, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env, cwd: tmp, isTTY: false };
  const code = await main(['check', '--root', repo.root, '--artifacts', path.join(tmp, 'artifacts'), ...args], io, POLICIES, {
    checkTuning: { retryBaseMs: 5, retryAfterUnitMs: 20, writeIntervalMs: 0, timeoutMs: 5000 },
  });
  return { code, stdout, stderr };
}

const report = () =>
  JSON.parse(fs.readFileSync(path.join(tmp, 'artifacts', 'gate-report.json'), 'utf8')) as { policies: Array<{ id: string; status: string }> };

describe('pull-request mode', () => {
  it('runs the policies the change affects (deletions too) and skips the others', async () => {
    const r = await run(['--changed', '--base', 'main', '--format', 'json:out.json']);
    expect(r.code).toBe(1);
    expect(report().policies).toEqual([
      { id: 'test/bad-lines', severity: 'error', status: 'ran', findings: 4 },
      { id: 'test/docs-only', severity: 'error', status: 'skipped', findings: 0, reason: 'no changed file matches its globs' },
      { id: 'test/gone-watch', severity: 'notice', status: 'ran', findings: 0 },
    ]);
  });

  it('annotates only added lines by default with --changed; says how many stay in the reports', async () => {
    const r = await run(['--changed', '--base', 'main', '--format', 'github']);
    expect(r.stdout).toBe(
      [
        '::error file=conf/a.yaml,line=10,endLine=10,col=5,endColumn=7,title=test/bad-lines::BAD here: k10: BAD new',
        '::error file=conf/a.yaml,line=20,endLine=20,col=5,endColumn=7,title=test/bad-lines::BAD here: k20: BAD new',
        `::notice title=OdooOps Gates::2 findings outside the annotated lines (--annotate added); read every finding in ${path.join('artifacts', 'gate-report.json')}`,
        '',
      ].join('\n'),
    );
  });

  it('--annotate file keeps every finding of a changed file; all keeps everything', async () => {
    const file = await run(['--changed', '--base', 'main', '--annotate', 'file', '--format', 'github']);
    expect(
      file.stdout
        .split('\n')
        .filter((l) => l.startsWith('::error'))
        .map((l) => /line=(\d+)/.exec(l)?.[1]),
    ).toEqual(['10', '20', '2']);
    const all = await run(['--base', 'main', '--annotate', 'all', '--format', 'github']);
    expect(all.stdout.split('\n').filter(Boolean)).toHaveLength(4);
    expect(all.stdout).toContain('::warning file=other/b.yaml,line=1');
  });

  it('exits 2 with advice on a shallow clone, and on --changed without a base', async () => {
    const shallow = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-shallow-'));
    try {
      git(shallow, 'clone', '-q', '--depth', '1', '--no-single-branch', `file://${repo.root}`, '.');
      let stderr = '';
      const code = await main(
        ['check', '--root', shallow, '--artifacts', path.join(tmp, 'a2'), '--changed', '--base', 'origin/main'],
        { stdout: () => {}, stderr: (s) => (stderr += s), env: {}, cwd: tmp, isTTY: false },
        POLICIES,
      );
      expect(code).toBe(2);
      expect(stderr).toBe(
        'gates: the clone is shallow, so the merge base with origin/main cannot be trusted; fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` on actions/checkout) and run again\n',
      );
    } finally {
      fs.rmSync(shallow, { recursive: true, force: true });
    }
    const r = await run(['--changed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gates: --changed needs --base REF/);
  });

  it('takes the base from the pull request event in GitHub Actions', async () => {
    const event = path.join(tmp, 'event.json');
    fs.writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: repo.mainSha }, head: { sha: repo.headSha } } }));
    const r = await run(['--changed', '--format', 'json:out.json'], { GITHUB_ACTIONS: 'true', GITHUB_EVENT_PATH: event, GITHUB_BASE_REF: 'no-such-branch' });
    expect(r.code).toBe(1);
    expect(report().policies.find((p) => p.id === 'test/docs-only')?.status).toBe('skipped');
  });
});

describe('formats', () => {
  it('writes several formats in one run, each to its own file, and appends the step summary', async () => {
    const summary = path.join(tmp, 'step-summary.md');
    fs.writeFileSync(summary, '# earlier step\n');
    const r = await run(
      ['--format', 'sarif:out/gates.sarif', '--format', 'junit:out/junit.xml', '--format', 'markdown:out/summary.md', '--format', 'github:out/gh.txt'],
      {
        GITHUB_STEP_SUMMARY: summary,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const read = (f: string) => fs.readFileSync(path.join(tmp, f), 'utf8');
    expect(JSON.parse(read('out/gates.sarif')).runs[0].results).toHaveLength(4);
    expect(read('out/junit.xml')).toContain('<testcase classname="test" name="test/bad-lines"');
    expect(read('out/summary.md')).toMatch(/^## OdooOps Gates: ✖ failed\n/);
    expect(read('out/gh.txt').split('\n').filter(Boolean)).toHaveLength(4);
    expect(read('step-summary.md')).toBe(`# earlier step\n${read('out/summary.md')}`);
  });

  it('rejects an unknown format or annotate mode with exit 2', async () => {
    expect((await run(['--format', 'xml'])).code).toBe(2);
    const r = await run(['--annotate', 'some']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gates: --annotate some: expected one of added, diff_context, file, all/);
  });
});

describe('--github-check', () => {
  let gh: FakeGitHub;
  afterEach(() => gh?.stop());

  async function actionsEnv(): Promise<NodeJS.ProcessEnv> {
    gh = new FakeGitHub();
    const url = await gh.start();
    const event = path.join(tmp, 'event.json');
    fs.writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: repo.mainSha }, head: { sha: repo.headSha } } }));
    return {
      GITHUB_ACTIONS: 'true',
      GITHUB_API_URL: url,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'acme/ops',
      GITHUB_EVENT_PATH: event,
      GITHUB_SHA: 'f'.repeat(40),
      GITHUB_TOKEN: TOKEN,
    };
  }

  it('creates the check run on the pull request head, not GITHUB_SHA, with the gate verdict', async () => {
    const env = await actionsEnv();
    const r = await run(['--changed', '--github-check'], env);
    expect(r.code).toBe(1);
    expect(gh.calls.map((c) => c.split(' ')[0])).toEqual(['GET', 'POST', 'PATCH', 'PATCH']);
    expect(gh.received[0]?.path).toBe(`/repos/acme/ops/commits/${repo.headSha}/check-runs`);
    expect(gh.received[1]?.body).toMatchObject({ head_sha: repo.headSha, name: 'OdooOps Gates' });
    const annotations = (gh.received[2]?.body?.output as { annotations: Array<{ start_line: number }> }).annotations;
    expect(annotations.map((a) => a.start_line)).toEqual([10, 20]);
    expect(gh.received[3]?.body).toMatchObject({ conclusion: 'failure', output: { title: '3 errors, 1 warning, 0 notices' } });
    expect((gh.received[3]?.body?.output as { summary: string }).summary).toContain(`(https://github.example/acme/ops/blob/${repo.headSha}/conf/a.yaml#L10)`);
    expect(r.stderr).toBe(`gates: check run 7001 created on ${repo.headSha.slice(0, 12)} with 2 annotations\n`);
    expect(r.stdout).toContain('✖ 4 problems');
  });

  it('a 403 falls back to workflow commands with one clear line and the same exit code', async () => {
    const env = await actionsEnv();
    gh.faults.push({ method: 'POST', path: /check-runs$/, status: 403, body: { message: `Resource not accessible by integration (${TOKEN})` } });
    const r = await run(['--changed', '--github-check', '--format', 'json:out.json'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'gates: the token cannot write check runs (403: Resource not accessible by integration (***); a pull request from a fork gets a read-only token); reporting through workflow commands and the job summary instead\n',
    );
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error'))).toHaveLength(2);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('without a token it says so once and still annotates through workflow commands', async () => {
    const env = await actionsEnv();
    delete env.GITHUB_TOKEN;
    const r = await run(['--github-check', '--format', 'json:out.json'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('gates: --github-check needs GITHUB_TOKEN; reporting through workflow commands and the job summary instead\n');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::'))).toHaveLength(4);
    expect(gh.received).toEqual([]);
  });
});
