import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import { evidenceKind, parseTasks } from '../policies/spec/_lib/bundle.ts';
import bundle from '../policies/spec/bundle.ts';
import tasks from '../policies/spec/tasks.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const temps: string[] = [];

afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the tasks.md parser', () => {
  it('reads phases, ids, the parallel mark, the story and the code spans', () => {
    const doc = parseTasks(
      ['# Tasks', '', '## Phase 1: Setup', '', '- [ ] T001 [P] [US2] Write `ssot/jobs.yaml` and `ops.jobs`', '- [x] T002 Done in `gates/cli.ts`'].join('\n'),
    );
    expect(doc.problems).toEqual([]);
    expect(doc.phases).toEqual([{ line: 3, number: 1, title: 'Setup' }]);
    expect(doc.tasks.map((t) => [t.line, t.id, t.done, t.parallel, t.story])).toEqual([
      [5, 'T001', false, true, 'US2'],
      [6, 'T002', true, false, undefined],
    ]);
    expect(doc.tasks[0]?.spans).toEqual([
      { text: 'ssot/jobs.yaml', column: 29 },
      { text: 'ops.jobs', column: 50 },
    ]);
  });

  it('counts columns in characters and reads CRLF files', () => {
    const doc = parseTasks('## Phase 1 — Ünïcode\r\n- [x] T001 Écrit `docs/ssot.md`\r\n');
    expect(doc.problems).toEqual([]);
    expect(doc.tasks[0]?.spans).toEqual([{ text: 'docs/ssot.md', column: 19 }]);
  });

  it('tells references from other code', () => {
    expect(evidenceKind('20260301000050_ops_digitalocean.sql')).toBe('migration');
    expect(evidenceKind('routes/nav-coverage')).toBe('policy-or-path');
    expect(evidenceKind('gates/core/run.ts')).toBe('path');
    expect(evidenceKind('README.md')).toBe('path');
    expect(evidenceKind('docs/contracts/')).toBe('path');
    for (const code of [
      '/logs',
      'ops.mail_events',
      'safeJson(res)',
      '204',
      'https://vercel.com/new/clone',
      'module_status_<env>.txt',
      'next build',
      'schemas/ssot/*.json',
    ]) {
      expect(evidenceKind(code), code).toBeUndefined();
    }
  });
});

describe('the bundle of this repository', () => {
  it('passes both spec policies', async () => {
    expect((await runPolicyOn(bundle, ROOT)).lines).toEqual([]);
    expect((await runPolicyOn(tasks, ROOT)).lines).toEqual([]);
  });

  it('names, for every done task, evidence that the gate looked up', () => {
    const doc = parseTasks(fs.readFileSync(path.join(ROOT, 'spec/odooops-console/tasks.md'), 'utf8'));
    const done = doc.tasks.filter((t) => t.done);
    expect(done.length).toBeGreaterThan(0);
    for (const t of done)
      expect(
        t.spans.some((s) => evidenceKind(s.text)),
        t.id,
      ).toBe(true);
  });
});

describe('scripts/check-spec-kit.sh', () => {
  const run = (cwd: string, root: string) => {
    const artifacts = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-spec-artifacts-'));
    temps.push(artifacts);
    return spawnSync('bash', [path.join(cwd, 'scripts/check-spec-kit.sh'), '--root', root, '--format', 'json', '--artifacts', artifacts], { encoding: 'utf8' });
  };

  it('exits 0 on this repository and 1 when a done task loses its evidence, with the finding at its line', () => {
    const clean = run(ROOT, ROOT);
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);

    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-spec-'));
    temps.push(copy);
    fs.cpSync(path.join(ROOT, 'spec'), path.join(copy, 'spec'), { recursive: true });
    const text = fs.readFileSync(path.join(copy, 'spec/odooops-console/tasks.md'), 'utf8');
    const lineOf = (prefix: string) => text.split('\n').findIndex((l) => l.startsWith(prefix)) + 1;
    const line = lineOf('- [x] T059');
    const opened = lineOf('- [ ] T038 ');
    fs.writeFileSync(path.join(copy, 'spec/odooops-console/tasks.md'), text.replace('- [ ] T038 ', '- [x] T038 '));
    const broken = run(ROOT, copy);
    expect(broken.status).toBe(1);
    const report = JSON.parse(broken.stdout) as { findings: Array<{ line: number; column: number; message: string }> };
    // Outside this repository the engine's files are missing, so every done task's evidence is missing.
    expect(report.findings.some((f) => f.line === line && f.column === 61 && f.message.includes('`scripts/check-spec-kit.sh` is missing'))).toBe(true);
    expect(report.findings.some((f) => f.line === opened && f.column === 1 && f.message.startsWith('task T038 is marked done but names no evidence'))).toBe(
      true,
    );
  });

  it('exits 2 on a usage error', () => {
    const r = spawnSync('bash', [path.join(ROOT, 'scripts/check-spec-kit.sh'), '--no-such-flag'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});
