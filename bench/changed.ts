// Pull requests at O(change): on a generated repository of N SSOT files (default 20,000) with one
// changed file, times `gates check --changed` against the full `gates check` (whole process, the
// median of 3 each after a warm-up), checks the pull-request run reports the changed file's planted
// errors and nothing else, and prints the ratio (target: at most 10 %).
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
    env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' },
  });
}

interface Run {
  seconds: number;
  exit: number | null;
  findings: Array<{ file: string; policy: string }>;
  ran: number;
}

function gates(root: string, extra: string[]): Run {
  const out = path.join(os.tmpdir(), `gates-changed-${process.pid}.json`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ENGINE, 'gates/cli.ts'), 'check', '--root', root, '--format', `json:${out}`, ...extra], {
    cwd: ENGINE,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' },
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { findings: Run['findings']; policies: Array<{ status: string }> };
  fs.rmSync(out, { force: true });
  return { seconds, exit: r.status, findings: report.findings, ran: report.policies.filter((p) => p.status === 'ran').length };
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
  console.log(`pull-request bench: ${n} SSOT files, 1 changed (${changed}); generated in ${((Date.now() - t0) / 1000).toFixed(1)} s (${os.cpus().length} cores, node ${process.version})`);

  gates(root, ['--changed', '--base', 'main']); // warm the tsx transform cache and the page cache
  const full: Run[] = [];
  const pr: Run[] = [];
  for (let i = 0; i < 3; i++) {
    full.push(gates(root, []));
    pr.push(gates(root, ['--changed', '--base', 'main']));
  }
  const f = median(full.map((r) => r.seconds));
  const p = median(pr.map((r) => r.seconds));
  const prFindings = pr[0]?.findings ?? [];
  const onlyChanged = prFindings.length === 2 && prFindings.every((x) => x.file === changed && x.policy === 'ssot/schema');
  const fullErrors = full[0]?.findings.filter((x) => x.policy === 'ssot/schema').length ?? 0;
  console.log(`full run            ${f.toFixed(2)} s  (median of ${full.map((r) => r.seconds.toFixed(2)).join(', ')}; ${fullErrors} schema findings, ${full[0]?.ran} policies ran)`);
  console.log(`pull-request run    ${p.toFixed(2)} s  (median of ${pr.map((r) => r.seconds.toFixed(2)).join(', ')}; ${prFindings.length} findings, ${pr[0]?.ran} policies ran)`);
  console.log(`ratio               ${((p / f) * 100).toFixed(1)} % of the full run (target ≤ ${TARGET * 100} %): ${p / f <= TARGET ? 'met' : 'NOT MET'}`);
  console.log(`findings            ${onlyChanged ? 'the pull-request run reports exactly the 2 planted errors of the changed file' : `MISMATCH: ${JSON.stringify(prFindings.slice(0, 5))}`}`);
  if (p / f > TARGET || !onlyChanged) process.exitCode = 1;
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
