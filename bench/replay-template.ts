/**
 * Replay bench on Postgres (DATABASE_URL, default the local one), on 1,000 generated migration files:
 * 1. the full replay (`replayMigrations`: throwaway database, baseline, each file one transaction,
 *    the catalog read, the drop) beside psql applying the same baseline and files in one session,
 *    one transaction per file (`begin; \i file; commit;`), database created and dropped in the same
 *    script, with the replay's own `synchronous_commit = off`; interleaved, median of the runs, and
 *    the ratio (target <= 1.15x). The parse (which `gates check` shares with the lint) is timed apart.
 * 2. a pull request adding one file to that base: the whole `gates check --base main --changed
 *    --no-cache` process as `npm run gates` runs it (gates/launcher.mjs), from the base's template
 *    (the first run builds it and its working copy, timed apart) and without it (`--no-template`),
 *    median of the runs each (target <= 3 s with the template); all must report the same findings.
 *    Then the replay step alone, in-process (`replay(ctx)` from the template).
 * The machine's load average is printed before and after: the figures are only as quiet as it is.
 * Run: npm run bench:template [files=1000] [runs=3]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ENGINE_DIR } from '../gates/core/artifacts.ts';
import { Repo } from '../gates/core/repo.ts';
import { loadSqlParser, NEWEST_PG_MAJOR, parseSql } from '../gates/core/sql.ts';
import { newPrepareState } from '../gates/db/prepare.ts';
import { preparedBaseline, replay, replayMigrations, replayTemplateName, type ReplayInput } from '../gates/db/replay.ts';
import { workName } from '../gates/db/template.ts';
import { addedMigration, generatedMigrations } from './migration-files.ts';

const [COUNT = 1000, RUNS = 3] = process.argv
  .slice(2)
  .filter((a) => /^\d+$/.test(a))
  .map(Number);
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const RATIO_TARGET = 1.15;
const PR_TARGET_S = 3;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const load = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd, stdio: 'ignore' });
}

async function sql<T extends object>(query: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  try {
    return (await c.query<T>(query, params)).rows;
  } finally {
    await c.end();
  }
}

console.log(`load average before: ${load()} (${os.cpus().length} cores)`);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-template-'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-template-work-'));
let template: string | undefined;
try {
  // --- 1. The full replay beside psql, one transaction per file.
  const files = generatedMigrations(COUNT);
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  }
  await loadSqlParser();
  let t0 = performance.now();
  const inputs: ReplayInput[] = Object.entries(files).map(([file, text]) => {
    const p = parseSql(text);
    if (!p.ok) throw new Error(`${file}: ${p.message}`);
    return { file, statements: p.statements };
  });
  const parseMs = performance.now() - t0;
  // The baseline exactly as the replay sends it on this server.
  const available = new Set((await sql<{ name: string }>('select name from pg_available_extensions')).map((r) => r.name));
  const [cron] = await sql<{ db: string | null }>("select current_setting('cron.database_name', true) as db");
  if (cron?.db) available.delete('pg_cron');
  fs.writeFileSync(path.join(work, 'baseline.sql'), preparedBaseline(newPrepareState(available, NEWEST_PG_MAJOR, NEWEST_PG_MAJOR)));
  const psqlDb = `bench_psql_${process.pid}`;
  fs.writeFileSync(
    path.join(work, 'psql.sql'),
    [
      '\\set ON_ERROR_STOP on',
      `create database ${psqlDb};`,
      `\\connect ${psqlDb}`,
      'set synchronous_commit = off;',
      `\\i ${path.join(work, 'baseline.sql')}`,
      ...Object.keys(files).map((f) => `begin;\n\\i ${path.join(root, f)}\ncommit;`),
      `\\connect ${new URL(DATABASE_URL).pathname.slice(1) || 'postgres'}`,
      `drop database ${psqlDb} with (force);`,
      '',
    ].join('\n'),
  );
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    t0 = performance.now();
    const res = await replayMigrations(inputs, { databaseUrl: DATABASE_URL });
    ours.push(performance.now() - t0);
    if (res.failure || res.applied.length !== inputs.length) throw new Error(`the replay failed: ${res.failure?.message ?? 'not every file applied'}`);
    t0 = performance.now();
    const p = spawnSync('psql', ['-X', '-q', '-d', DATABASE_URL, '-f', path.join(work, 'psql.sql')], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    theirs.push(performance.now() - t0);
    if (p.status !== 0) throw new Error(`psql failed: ${p.stderr.split('\n').find((l) => l.includes('ERROR')) ?? p.stderr}`);
  }
  const ratio = median(ours) / median(theirs);
  console.log(`${COUNT} migration files; parse (shared with the lint in gates check): ${s(parseMs)}`);
  console.log(
    `full replay on Postgres (create, baseline, ${COUNT} files one transaction each, catalog read, drop), median of ${RUNS}: ` +
      `gates ${s(median(ours))}, psql ${s(median(theirs))} (same work without the catalog read), ratio ${ratio.toFixed(2)}x (target <= ${RATIO_TARGET}x)`,
  );
  console.log(`  each run: gates ${ours.map(s).join(', ')}; psql ${theirs.map(s).join(', ')}`);

  // --- 2. A pull request that adds one file.
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  git(root, 'checkout', '-q', '-b', 'pr');
  const [added, text] = addedMigration(COUNT);
  fs.writeFileSync(path.join(root, added), text);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'one more migration');
  const repo = (): Repo => new Repo({ root, artifactsDir: path.join(work, 'artifacts'), base: 'main', databaseUrl: DATABASE_URL });
  template = await replayTemplateName(repo());
  if (!template) throw new Error('the pull request has no template');
  await sql(`drop database if exists ${workName(template)}`);
  await sql(`drop database if exists ${template}`);
  const launcher = path.join(ENGINE_DIR, 'gates', 'launcher.mjs');
  const out = path.join(work, 'report.json');
  const check = (extra: string[]): { ms: number; cpu: number; findings: string } => {
    const r = spawnSync(
      '/usr/bin/time',
      ['-f', '%e %U %S', process.execPath, launcher, 'check', '--root', root, '--base', 'main', '--changed', '--no-cache', '--format', `json:${out}`, ...extra],
      { cwd: ENGINE_DIR, encoding: 'utf8', env: { ...process.env, DATABASE_URL } },
    );
    const [wall, user, sys] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
    if (r.status !== 0 && r.status !== 1) throw new Error(`gates check exited ${r.status ?? 'on a signal'}: ${r.stderr}`);
    const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { findings: Array<{ policy: string; file: string; line: number; message: string }> };
    return { ms: (wall ?? NaN) * 1000, cpu: ((user ?? NaN) + (sys ?? NaN)) * 1000, findings: JSON.stringify(report.findings) };
  };
  // The launcher builds its bundle on first use: not timed.
  spawnSync(process.execPath, [launcher, 'check', '--root', work, '--only', 'migrations/replay'], { cwd: ENGINE_DIR, stdio: 'ignore' });
  const first = check([]);
  const warm: Array<ReturnType<typeof check>> = [];
  const without: Array<ReturnType<typeof check>> = [];
  for (let r = 0; r < RUNS; r++) {
    warm.push(check([]));
    without.push(check(['--no-template']));
  }
  const same = [first, ...warm, ...without].every((x) => x.findings === first.findings);
  const wall = (xs: Array<{ ms: number }>): number => median(xs.map((x) => x.ms));
  const cpu = (xs: Array<{ cpu: number }>): number => median(xs.map((x) => x.cpu));
  console.log(`pull request adding 1 file to the ${COUNT}-file base, whole \`gates check --base main --changed --no-cache\` (launcher), median of ${RUNS}:`);
  console.log(
    `  from the base's template: ${s(wall(warm))} wall, ${s(cpu(warm))} CPU (target <= ${PR_TARGET_S} s); each: ${warm.map((x) => s(x.ms)).join(', ')}`,
  );
  console.log(`  first run, which builds the template: ${s(first.ms)} wall`);
  console.log(`  without a template (--no-template, every file from the baseline): ${s(wall(without))} wall, ${s(cpu(without))} CPU`);
  console.log(`  same findings in every run: ${same ? 'yes' : 'NO'}`);
  const step: number[] = [];
  let via = '';
  for (let r = 0; r < RUNS; r++) {
    t0 = performance.now();
    const res = await replay(repo());
    step.push(performance.now() - t0);
    if (res?.basis?.from !== 'template' || res.failure) throw new Error('the in-process replay did not start from the template');
    via = res.basis.via === 'rollback' ? "the template's working copy, one transaction rolled back" : `a copy of the template (${res.basis.reason ?? ''})`;
  }
  console.log(
    `  the replay step alone, in-process (parse ${COUNT + 1} files, git, find the template, replay 1 file on ${via}, catalog read), median of ${RUNS}: ${s(median(step))}`,
  );
  // Two new files: a copy of the template per run (create database ... template, then drop).
  const [second, secondText] = addedMigration(COUNT + 1);
  fs.writeFileSync(path.join(root, second), secondText);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'a second migration');
  const copied: Array<ReturnType<typeof check>> = [];
  for (let r = 0; r < RUNS; r++) copied.push(check([]));
  console.log(
    `pull request adding 2 files (a copy of the template per run), whole process, median of ${RUNS}: ${s(wall(copied))} wall, ${s(cpu(copied))} CPU; each: ${copied.map((x) => s(x.ms)).join(', ')}`,
  );
} finally {
  if (template) {
    await sql(`drop database if exists ${workName(template)}`).catch(() => undefined);
    await sql(`drop database if exists ${template}`).catch(() => undefined);
  }
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
  console.log(`load average after: ${load()}`);
}
