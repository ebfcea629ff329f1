// Measures `gates check` on synthetic SSOT trees of 2,000 and 20,000 files (a few percent with
// errors): whole-process wall time, CPU time and peak memory through the launcher (what
// `npm run gates` runs), side by side with the sources under `node --import tsx`, and checks
// every planted error is reported by both. Usage: npx tsx bench/ssot.ts [sizes…]   (default: 2000 20000)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSsotTree } from './ssot-tree.ts';

const ENGINE = path.resolve(import.meta.dirname, '..');
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);

const LAUNCHER = [path.join(ENGINE, 'gates/launcher.mjs')];
const SOURCES = ['--import', 'tsx', path.join(ENGINE, 'gates/cli.ts')];

interface Run {
  seconds: number;
  cpu: number;
  maxRssMiB: number;
  exit: number | null;
  errors: number;
}

function measure(root: string, entry: string[], extra: string[] = []): Run {
  const out = path.join(root, 'report.json');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ...entry, 'check', '--root', root, '--format', `json:${out}`, ...extra], {
    cwd: ENGINE,
    encoding: 'utf8',
  });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, user, sys, kib] = last.split(' ').map(Number);
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { findings: Array<{ policy: string; severity: string }> };
  // The planted errors are schema errors; other gates may add their own findings about the tree.
  const errors = report.findings.filter((f) => f.policy === 'ssot/schema' && f.severity === 'error').length;
  return { seconds: secs ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN), maxRssMiB: (kib ?? NaN) / 1024, exit: r.status, errors };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const RUNS = 5;

console.log(
  `gates check on synthetic SSOT trees (${os.cpus().length} cores, node ${process.version}, load ${(os.loadavg()[0] ?? 0).toFixed(2)}, medians of ${RUNS})`,
);
for (const n of sizes.length ? sizes : [2000, 20000]) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `gates-bench-${n}-`));
  try {
    const planted = generateSsotTree(root, n);
    // Warm the bundle, the validator cache and the page cache, then alternate the two.
    measure(root, LAUNCHER);
    measure(root, SOURCES);
    const bundle: Run[] = [];
    const tsx: Run[] = [];
    const cold: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      bundle.push(measure(root, LAUNCHER));
      tsx.push(measure(root, SOURCES));
      // No cache at all: every YAML file parsed, every schema compiled.
      cold.push(measure(root, LAUNCHER, ['--no-cache']));
    }
    const all = [...bundle, ...tsx, ...cold].every((r) => r.errors === planted && r.exit === 1);
    const b = median(bundle.map((r) => r.seconds));
    const t = median(tsx.map((r) => r.seconds));
    const target = n <= 2000 ? '<= 1.0 s' : n <= 20000 ? '<= 5 s' : '';
    console.log(
      `${String(n).padStart(6)} files: launcher ${b.toFixed(2)} s (cpu ${median(bundle.map((r) => r.cpu)).toFixed(2)} s, peak RSS ${median(bundle.map((r) => r.maxRssMiB)).toFixed(0)} MiB)   ` +
        `node --import tsx ${t.toFixed(2)} s (cpu ${median(tsx.map((r) => r.cpu)).toFixed(2)} s)   ratio ${(b / t).toFixed(2)}   target ${target}   ` +
        `schema errors reported ${bundle[0]?.errors ?? 0}/${planted}${all ? '' : '  MISMATCH'}`,
    );
    const c = median(cold.map((r) => r.seconds));
    console.log(
      `${''.padStart(6)}        launcher --no-cache ${c.toFixed(2)} s (cpu ${median(cold.map((r) => r.cpu)).toFixed(2)} s)   beside the launcher with its caches ${b.toFixed(2)} s   ratio ${(b / c).toFixed(2)}`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
