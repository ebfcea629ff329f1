/**
 * Replay bench on a realistic Supabase-style history (test/corpora/supabase-history, 45 files and
 * the seed): the replay time on Postgres (DATABASE_URL, default the local one) and on PGlite side
 * by side, and PGlite's start-up with the baseline and the history's extensions loaded (pgcrypto,
 * uuid-ossp, moddatetime, pg_trgm, pgvector): cold (initdb + baseline + cache write) and from the
 * cached data directory.
 * Run: npm run bench:replay [runs=3]
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadSqlParser, parseSql } from '../gates/core/sql.ts';
import { PGLITE_CACHE_DIR } from '../gates/db/engine.ts';
import { openBaselineDatabase, replayMigrations, type ReplayInput } from '../gates/db/replay.ts';

const RUNS = Number(process.argv[2] ?? 3);
const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DIR = path.resolve(import.meta.dirname, '..', 'test', 'corpora', 'supabase-history', 'supabase');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
const ms = (n: number): string => `${n.toFixed(0)} ms`;

await loadSqlParser(17);
const files = [
  ...fs
    .readdirSync(path.join(DIR, 'migrations'))
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => `migrations/${f}`),
  'seed.sql',
];
const inputs: ReplayInput[] = files.map((file) => {
  const p = parseSql(fs.readFileSync(path.join(DIR, file), 'utf8'), 17);
  if (!p.ok) throw new Error(`${file}: ${p.message}`);
  return { file, statements: p.statements };
});
const statements = inputs.reduce((n, i) => n + i.statements.length, 0);
console.log(`history: ${inputs.length} files (${files.length - 1} migrations + seed.sql), ${statements} statements; median of ${RUNS} runs`);

const extensions = ['uuid-ossp', 'pgcrypto', 'moddatetime', 'pg_trgm', 'vector'];
fs.rmSync(PGLITE_CACHE_DIR, { recursive: true, force: true });
let t0 = performance.now();
await (await openBaselineDatabase(undefined, extensions)).close();
const cold = performance.now() - t0;
const warm: number[] = [];
const warmBare: number[] = [];
for (let i = 0; i < RUNS; i++) {
  t0 = performance.now();
  await (await openBaselineDatabase(undefined, extensions)).close();
  warm.push(performance.now() - t0);
  t0 = performance.now();
  await (await openBaselineDatabase(undefined, [])).close();
  warmBare.push(performance.now() - t0);
}
console.log(
  `PGlite start-up with the baseline: cold ${ms(cold)} (initdb + baseline + cache write); cached ${ms(median(warm))} with ${extensions.join(', ')} loaded, ${ms(median(warmBare))} with the baseline's two (${(median(warm) / median(warmBare)).toFixed(2)}x)`,
);

const time = async (databaseUrl: string | undefined): Promise<{ median: number; applied: number; failure: string }> => {
  const xs: number[] = [];
  let applied = 0;
  let failure = 'none';
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = await replayMigrations(inputs, { databaseUrl, targetMajor: 17 });
    xs.push(performance.now() - t);
    applied = r.applied.length;
    failure = r.failure ? `${r.failure.file}: ${r.failure.message}` : 'none';
  }
  return { median: median(xs), applied, failure };
};
const pg = await time(DATABASE_URL);
const lite = await time(undefined);
console.log(`replay on Postgres (throwaway database + baseline + ${pg.applied} files + catalog read): ${ms(pg.median)}, failure: ${pg.failure}`);
console.log(`replay on PGlite (cached start + ${lite.applied} files + catalog read): ${ms(lite.median)}, failure: ${lite.failure}`);
console.log(`PGlite / Postgres: ${(lite.median / pg.median).toFixed(2)}x`);
