// Pull requests at O(change): on a generated repository of N SSOT files (default 20,000) with one
// changed file, times `gates check --changed` against the full `gates check`, both run as `npm run
// gates` runs them (gates/launcher.mjs), whole process, the median of 3 each after a warm-up; wall
// time and CPU time (user + system, children included: the machine may be shared). Checks the
// pull-request run reports the changed file's planted errors and nothing else, and prints the
// ratio (target: at most 10 % of the full run's wall time).
// Usage: npx tsx bench/changed.ts [N]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSsotTree } from './ssot-tree.ts';

const ENGINE = path.resolve(import.meta.dirname, '..');
const n = Number(process.argv[2] ?? 20000);
const TARGET = 0.1;

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, {
    cwd,
    stdio: 'ignore',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'bench@example.com',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'bench@example.com',
    },
  });
}

interface Run {
  seconds: number;
  cpu: number;
  exit: number | null;
  findings: Array<{ file: string; policy: string }>;
  ran: number;
}

function gates(root: string, extra: string[]): Run {
  const out = path.join(os.tmpdir(), `gates-changed-${process.pid}.json`);
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S', process.execPath, path.join(ENGINE, 'gates/launcher.mjs'), 'check', '--root', root, '--format', `json:${out}`, ...extra],
    {
      cwd: ENGINE,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '' },
    },
  );
  const [wall, user, sys] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { findings: Run['findings']; policies: Array<{ status: string }> };
  fs.rmSync(out, { force: true });
  return {
    seconds: wall ?? NaN,
    cpu: (user ?? NaN) + (sys ?? NaN),
    exit: r.status,
    findings: report.findings,
    ran: report.policies.filter((p) => p.status === 'ran').length,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const root = fs.mkdtempSync(path.join(os.tmpdir(), `gates-bench-changed-${n}-`));
try {
  const t0 = Date.now();
  generateSsotTree(root, n);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  // The pull request: one file of the tree gets the two planted errors (a wrong type and an unknown key).
  const changed = 'ssot/team-7/registry-7.yaml';
  const file = path.join(root, changed);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('rotation_days: 90', 'rotation_days: "ninety"').replace('    owner:', '    ownr:'));
  console.log(
    `pull-request bench: ${n} SSOT files, 1 changed (${changed}); generated in ${((Date.now() - t0) / 1000).toFixed(1)} s (${os.cpus().length} cores, node ${process.version})`,
  );

  gates(root, ['--changed', '--base', 'main']); // warm the tsx transform cache and the page cache
  const full: Run[] = [];
  const pr: Run[] = [];
  for (let i = 0; i < 3; i++) {
    full.push(gates(root, []));
    pr.push(gates(root, ['--changed', '--base', 'main']));
  }
  const f = median(full.map((r) => r.seconds));
  const p = median(pr.map((r) => r.seconds));
  const fc = median(full.map((r) => r.cpu));
  const pc = median(pr.map((r) => r.cpu));
  const prFindings = pr[0]?.findings ?? [];
  const onlyChanged = prFindings.length === 2 && prFindings.every((x) => x.file === changed && x.policy === 'ssot/schema');
  const fullErrors = full[0]?.findings.filter((x) => x.policy === 'ssot/schema').length ?? 0;
  console.log(
    `load average        ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores`,
  );
  console.log(
    `full run            wall ${f.toFixed(2)} s (median of ${full.map((r) => r.seconds.toFixed(2)).join(', ')}), cpu ${fc.toFixed(2)} s; ${fullErrors} schema findings, ${full[0]?.ran ?? 0} policies ran`,
  );
  console.log(
    `pull-request run    wall ${p.toFixed(2)} s (median of ${pr.map((r) => r.seconds.toFixed(2)).join(', ')}), cpu ${pc.toFixed(2)} s; ${prFindings.length} findings, ${pr[0]?.ran ?? 0} policies ran`,
  );
  console.log(
    `ratio               wall ${((p / f) * 100).toFixed(1)} %, cpu ${((pc / fc) * 100).toFixed(1)} % of the full run (target ≤ ${TARGET * 100} % wall): ${p / f <= TARGET ? 'met' : 'NOT MET'}`,
  );
  console.log(
    `findings            ${onlyChanged ? 'the pull-request run reports exactly the 2 planted errors of the changed file' : `MISMATCH: ${JSON.stringify(prFindings.slice(0, 5))}`}`,
  );
  if (p / f > TARGET || !onlyChanged) process.exitCode = 1;
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
