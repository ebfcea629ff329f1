// Start-up and whole-run figures of `gates check`, each printed beside its peer in the same run:
// the launcher's bundle (what `npm run gates` runs) against the sources under `node --import tsx`,
// on an empty repository and on this repository (cold: replay cache bypassed; warm: unchanged
// migrations). Usage: npx tsx bench/startup.ts [runs]   (default 7; medians are printed)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ENGINE = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.argv[2] ?? 7) || 7;
const LAUNCHER = [path.join(ENGINE, 'gates/launcher.mjs')];
const SOURCES = ['--import', 'tsx', path.join(ENGINE, 'gates/cli.ts')];

/** Wall time of one whole process, in seconds; the process must end with one of `exits`. */
function once(args: string[], env: NodeJS.ProcessEnv, exits: number[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ENGINE, env: { ...process.env, ...env }, encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (!exits.includes(r.status ?? -1)) throw new Error(`${args.join(' ')} exited ${r.status ?? r.signal ?? 'without a status'}: ${r.stderr.slice(0, 400)}`);
  return s;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Medians of `RUNS` alternating runs of a command and its peer (after one warm-up of each). */
function pair(a: string[], b: string[], env: NodeJS.ProcessEnv, exits: number[]): [number, number] {
  once(a, env, exits);
  once(b, env, exits);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ta.push(once(a, env, exits));
    tb.push(once(b, env, exits));
  }
  return [median(ta), median(tb)];
}

function line(label: string, t: number, peerLabel: string, peer: number, target: string): void {
  console.log(`${label.padEnd(44)} ${t.toFixed(3)} s   ${peerLabel.padEnd(30)} ${peer.toFixed(3)} s   ratio ${(t / peer).toFixed(2)}   target ${target}`);
}

const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-bench-empty-'));
try {
  console.log(`gates start-up (${os.cpus().length} cores, node ${process.version}, load ${(os.loadavg()[0] ?? 0).toFixed(2)}, medians of ${RUNS})`);
  const noDb = { DATABASE_URL: '' };
  const [bundle, tsx] = pair([...LAUNCHER, 'check', '--root', empty], [...SOURCES, 'check', '--root', empty], noDb, [0, 1]);
  line('check, empty repo, launcher (npm run gates)', bundle, 'node --import tsx gates/cli.ts', tsx, '<= 0.35 s and <= 0.45x');

  const help = spawnSync(process.execPath, [...LAUNCHER, '--help'], { cwd: ENGINE, encoding: 'utf8' }).stdout;
  const report = (name: string): string[] => [
    'check',
    '--root',
    ENGINE,
    '--artifacts',
    path.join(empty, name),
    '--format',
    `json:${path.join(empty, `${name}.json`)}`,
  ];
  const repo = report('r');
  if (help.includes('--no-cache')) {
    const [cold, coldTsx] = pair([...LAUNCHER, ...report('cold'), '--no-cache'], [...SOURCES, ...repo, '--no-cache'], noDb, [0, 1]);
    line('this repo, full, cold (--no-cache, PGlite)', cold, 'same through tsx', coldTsx, '<= 2.5 s');
    const [warm, warmTsx] = pair([...LAUNCHER, ...report('warm')], [...SOURCES, ...repo], noDb, [0, 1]);
    line('this repo, full, warm (replay cached)', warm, 'same through tsx', warmTsx, '<= 1.0 s');
    line('this repo, warm (replay cached)', warm, 'cold (--no-cache)', cold, 'warm <= 1.0 s, cold <= 2.5 s');
    // The cache may make a run faster, never change its verdict.
    const verdict = (name: string): string => {
      const r = JSON.parse(fs.readFileSync(path.join(empty, `${name}.json`), 'utf8')) as {
        findings: unknown[];
        policies: Array<{ id: string; status: string; reason?: string }>;
      };
      return JSON.stringify([r.findings, r.policies.map((x) => [x.id, x.status, x.reason])]);
    };
    console.log(`same findings and statuses cold and warm: ${verdict('cold') === verdict('warm') ? 'yes' : 'NO'}`);
  } else {
    const [full, fullTsx] = pair([...LAUNCHER, ...repo], [...SOURCES, ...repo], noDb, [0, 1]);
    line('this repo, full (PGlite; no replay cache yet)', full, 'same through tsx', fullTsx, 'cold <= 2.5 s');
  }
} finally {
  fs.rmSync(empty, { recursive: true, force: true });
}
