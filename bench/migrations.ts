/**
 * Migrations bench: on 1,000 generated migration files,
 * 1. the static lint (file names, syntax, lint) as a whole `gates check` process, side by side with squawk;
 * 2. the replay on a real Postgres (DATABASE_URL, default the local one);
 * 3. PGlite start-up: cold (initdb + baseline) against the cached data directory.
 * Run: npx tsx bench/migrations.ts [files=1000] [--static]   (--static: part 1 only)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENGINE_DIR } from '../gates/core/artifacts.ts';
import { loadSqlParser, parseSql } from '../gates/core/sql.ts';
import { PGLITE_CACHE_DIR } from '../gates/db/engine.ts';
import { openBaselineDatabase, replayMigrations, type ReplayInput } from '../gates/db/replay.ts';
import { generatedMigrations } from './migration-files.ts';

const ARGS = process.argv.slice(2);
const COUNT = Number(ARGS.find((a) => /^\d+$/.test(a)) ?? 1000);
/** `--static`: only the static lint side by side with squawk (no database). */
const STATIC_ONLY = ARGS.includes('--static');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function timeProcess(cmd: string, args: string[], cwd: string): { ms: number; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DATABASE_URL: '' } });
  return { ms: performance.now() - t0, status: r.status };
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-migrations-'));
try {
  fs.mkdirSync(path.join(root, 'migrations'));
  const files = generatedMigrations(COUNT);
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(root, f), text);
  console.log(
    `${Object.keys(files).length} migration files in ${root} (${os.cpus().length} cores, node ${process.version}, load ${(os.loadavg()[0] ?? 0).toFixed(2)})`,
  );

  const tsx = path.join(ENGINE_DIR, 'node_modules', '.bin', 'tsx');
  const squawk = path.join(ENGINE_DIR, 'node_modules', '.bin', 'squawk');
  const cli = path.join(ENGINE_DIR, 'gates', 'cli.ts');
  const sqlFiles = Object.keys(files);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-empty-'));
  const floorMs: number[] = [];
  const gatesMs: number[] = [];
  const launcherMs: number[] = [];
  const coldMs: number[] = [];
  const squawkMs: number[] = [];
  const launcher = path.join(ENGINE_DIR, 'gates', 'launcher.mjs');
  const staticOnly = ['--root', root, '--only', 'migrations/file-names,migrations/syntax,migrations/lint'];
  // The launcher builds its bundle on first use, and the first run on the tree fills the parse
  // cache: both before timing (the `--no-cache` runs show the cost without it).
  timeProcess(process.execPath, [launcher, 'check', '--root', empty, '--only', 'migrations/lint'], empty);
  timeProcess(process.execPath, [launcher, 'check', ...staticOnly], root);
  for (let r = 0; r < RUNS; r++) {
    const g = timeProcess(tsx, [cli, 'check', ...staticOnly, '--no-cache'], root);
    const l = timeProcess(process.execPath, [launcher, 'check', ...staticOnly], root);
    const c = timeProcess(process.execPath, [launcher, 'check', ...staticOnly, '--no-cache'], root);
    const s = timeProcess(squawk, sqlFiles, root);
    if (r === 0)
      console.log(
        `exit codes: gates ${g.status ?? 'none'}, launcher ${l.status ?? 'none'}, launcher --no-cache ${c.status ?? 'none'}, squawk ${s.status ?? 'none'}`,
      );
    gatesMs.push(g.ms);
    launcherMs.push(l.ms);
    coldMs.push(c.ms);
    floorMs.push(timeProcess(tsx, [cli, 'check', '--root', empty, '--only', 'migrations/lint'], empty).ms);
    squawkMs.push(s.ms);
  }
  const g = median(gatesMs);
  const s = median(squawkMs);
  fs.rmSync(empty, { recursive: true, force: true });
  console.log(`gates start-up floor (same command on a tree with no migration): ${median(floorMs).toFixed(0)} ms`);
  const l = median(launcherMs);
  const c = median(coldMs);
  console.log(`static lint, whole process, median of ${RUNS}, squawk ${s.toFixed(0)} ms beside:`);
  console.log(`  the launcher (what \`npm run gates\` runs), parse cache filled: ${l.toFixed(0)} ms, ratio ${(l / s).toFixed(2)}x (target <= 1.5x)`);
  console.log(`  the launcher with --no-cache (every file parsed):           ${c.toFixed(0)} ms, ratio ${(c / s).toFixed(2)}x`);
  console.log(`  npx tsx gates/cli.ts --no-cache (the sources):             ${g.toFixed(0)} ms, ratio ${(g / s).toFixed(2)}x`);

  if (STATIC_ONLY) {
    fs.rmSync(root, { recursive: true, force: true });
    process.exit(0);
  }
  await loadSqlParser();
  const inputs: ReplayInput[] = Object.entries(files).map(([file, text]) => {
    const p = parseSql(text);
    if (!p.ok) throw new Error(`${file}: ${p.message}`);
    return { file, statements: p.statements };
  });
  let t0 = performance.now();
  const pg = await replayMigrations(inputs, { databaseUrl: DATABASE_URL });
  const pgMs = performance.now() - t0;
  console.log(
    `replay on Postgres: ${pgMs.toFixed(0)} ms for ${pg.applied.length} files, ${pg.catalog.relations.length} relations read from the catalog, failure: ${pg.failure?.message ?? 'none'} (target <= 5000 ms)`,
  );

  fs.rmSync(PGLITE_CACHE_DIR, { recursive: true, force: true });
  t0 = performance.now();
  await (await openBaselineDatabase()).close();
  const cold = performance.now() - t0;
  t0 = performance.now();
  await (await openBaselineDatabase()).close();
  const warm = performance.now() - t0;
  console.log(`PGlite start with baseline: cold ${cold.toFixed(0)} ms (initdb + baseline + cache write), cached data directory ${warm.toFixed(0)} ms`);
  t0 = performance.now();
  const lite = await replayMigrations(inputs, {});
  console.log(
    `replay on PGlite (cached start): ${(performance.now() - t0).toFixed(0)} ms for ${lite.applied.length} files, failure: ${lite.failure?.message ?? 'none'}`,
  );
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
