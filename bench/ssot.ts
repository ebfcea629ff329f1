// Measures `gates check` on synthetic SSOT trees of 2,000 and 20,000 files (a few percent with
// errors): whole-process wall time and peak memory, and checks every planted error is reported.
// Usage: npx tsx bench/ssot.ts [sizes…]   (default: 2000 20000)
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

function measure(root: string): { seconds: number; maxRssMiB: number; exit: number | null; errors: number } {
  const out = path.join(root, 'report.json');
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %M', process.execPath, '--import', 'tsx', path.join(ENGINE, 'gates/cli.ts'), 'check', '--root', root, '--format', `json:${out}`],
    { cwd: ENGINE, encoding: 'utf8' },
  );
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, kib] = last.split(' ').map(Number);
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { findings: Array<{ policy: string; severity: string }> };
  // The planted errors are schema errors; other gates may add their own findings about the tree.
  const errors = report.findings.filter((f) => f.policy === 'ssot/schema' && f.severity === 'error').length;
  return { seconds: secs ?? NaN, maxRssMiB: (kib ?? NaN) / 1024, exit: r.status, errors };
}

console.log(`gates check on synthetic SSOT trees (${os.cpus().length} cores, node ${process.version})`);
for (const n of sizes.length ? sizes : [2000, 20000]) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `gates-bench-${n}-`));
  try {
    const planted = generateSsotTree(root, n);
    measure(root); // warm the tsx transform cache and the page cache
    const runs = [measure(root), measure(root), measure(root)];
    const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const all = runs.every((r) => r.errors === planted && r.exit === 1);
    console.log(
      `${String(n).padStart(6)} files: ${best.seconds.toFixed(2)} s (best of 3; ${runs.map((r) => r.seconds.toFixed(2)).join(', ')}), ` +
        `peak RSS ${best.maxRssMiB.toFixed(0)} MiB, schema errors reported ${best.errors}/${planted}${all ? '' : '  MISMATCH'}`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
