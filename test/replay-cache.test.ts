import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Repo, type GateOptions } from '../gates/core/repo.ts';
import { runGates, type GateResult } from '../gates/core/run.ts';
import { baselineSql, engineIdentity, pgliteVersion } from '../gates/db/engine.ts';
import {
  readReplayCache,
  REPLAY_CACHE_FORMAT,
  replayCacheKey,
  replayStamp,
  stampMatches,
  writeReplayCache,
  type ReplayKeyInputs,
} from '../gates/db/replay-cache.ts';
import { replayKey } from '../gates/db/replay.ts';
import { main } from '../gates/main.ts';
import { formatFinding } from '../gates/testing/fixtures.ts';
import policies from '../policies/migrations/index.ts';
import { DATABASE_URL, needsServer, serverUrl } from './helpers/pg.ts';
import { useTempDirs, useTrees } from './helpers/tree.ts';

const tree = useTrees();
const ROOT = path.resolve(import.meta.dirname, '..');
const M = (n: number, name = 'm'): string => `migrations/202603010000${String(n).padStart(2, '0')}_${name}.sql`;
const PLATFORM = 'version: 1\nlimits:\n  db_objects_max: 10000\n  db_objects_warn_ratio: 0.8\ndatabase:\n  postgres_major: 17\n';
const ITEMS = 'create table public.items (id bigint primary key, name text not null);\nalter table public.items enable row level security;\n';
const TAGS = 'create table public.tags (id bigint primary key, item_id bigint references public.items (id));\n';
const GOOD = { 'ssot/platform.yaml': PLATFORM, [M(1, 'items')]: ITEMS, [M(2, 'tags')]: TAGS };
const FAILING = { ...GOOD, [M(3, 'broken')]: 'insert into public.nothing_here values (1);\n' };

const cacheDir = useTempDirs('gates-replay-cache-');

async function run(root: string, options: Partial<GateOptions> = {}): Promise<GateResult> {
  const artifactsDir = tree({});
  return runGates({ root, artifactsDir, policies, ...(DATABASE_URL ? { databaseUrl: DATABASE_URL } : {}), ...options });
}

/** What a run reports: every finding and every policy's status and reason. */
function verdict(r: GateResult): string[] {
  return [...r.findings.map(formatFinding), ...r.policies.map((p) => `${p.id} ${p.status}${p.reason ? ` ${p.reason}` : ''}`)];
}

async function keyOf(root: string, databaseUrl = DATABASE_URL): Promise<string | undefined> {
  return replayKey(new Repo({ root, artifactsDir: path.join(root, 'artifacts'), ...(databaseUrl ? { databaseUrl } : {}) }));
}

const entries = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.bin'));

describe('replay cache', () => {
  it('stores the result on a miss and, on a hit, opens no database: the stored result is the verdict', async () => {
    const root = tree(GOOD);
    const dir = cacheDir();
    const first = await run(root, { replayCache: dir });
    const key = (await keyOf(root)) ?? '';
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(entries(dir)).toEqual([`${key}.bin`]);
    const stored = readReplayCache(dir, key);
    expect(stored?.applied).toEqual([M(1, 'items'), M(2, 'tags')]);
    expect(stored?.database).toBeUndefined();
    // A stored result that no database would give: the run reports it, so it read no database.
    writeReplayCache(dir, key, {
      ...(stored as NonNullable<typeof stored>),
      failure: { file: M(2, 'tags'), offset: 0, message: 'stored by the replay-cache test', code: 'XX000', timedOut: false },
    });
    const hit = await run(root, { replayCache: dir });
    expect(verdict(hit).join('\n')).toContain('stored by the replay-cache test');
    expect(verdict(first).join('\n')).not.toContain('stored by the replay-cache test');
  });

  it('gives the same findings with and without the cache, on a passing and on a failing replay', async () => {
    for (const files of [GOOD, FAILING]) {
      const root = tree(files);
      const dir = cacheDir();
      const uncached = verdict(await run(root));
      const miss = verdict(await run(root, { replayCache: dir }));
      expect(entries(dir)).toHaveLength(1);
      const hit = verdict(await run(root, { replayCache: dir }));
      expect(miss).toEqual(uncached);
      expect(hit).toEqual(uncached);
    }
    // The failing tree really fails: the replay stops at the broken file.
    const failing = verdict(await run(tree(FAILING)));
    expect(failing.join('\n')).toContain(M(3, 'broken'));
  });

  it('gives the repository the same verdict with and without the cache', async () => {
    const dir = cacheDir();
    const uncached = verdict(await run(ROOT));
    await run(ROOT, { replayCache: dir });
    expect(entries(dir)).toHaveLength(1);
    const hit = verdict(await run(ROOT, { replayCache: dir }));
    expect(hit).toEqual(uncached);
  });

  it('misses when a migration is edited, added or renamed, or the target platform changes', async () => {
    const key = await keyOf(tree(GOOD));
    const variants: Record<string, Record<string, string>> = {
      edited: { ...GOOD, [M(2, 'tags')]: `${TAGS}-- a comment\n` },
      added: { ...GOOD, [M(3, 'more')]: 'select 1;\n' },
      renamed: { 'ssot/platform.yaml': PLATFORM, [M(1, 'items')]: ITEMS, [M(2, 'labels')]: TAGS },
      platform: { ...GOOD, 'ssot/platform.yaml': PLATFORM.replace('postgres_major: 17', 'postgres_major: 15') },
      exposed: { ...GOOD, 'ssot/platform.yaml': `${PLATFORM}  exposed_schemas: [public, api]\n` },
    };
    const keys = new Set([key]);
    for (const [name, files] of Object.entries(variants)) {
      const k = await keyOf(tree(files));
      expect(k, name).toMatch(/^[0-9a-f]{64}$/);
      expect(keys.has(k), name).toBe(false);
      keys.add(k);
    }
    // A file the CLI does not apply is not part of the replay: same key.
    expect(await keyOf(tree({ ...GOOD, 'migrations/seed.sql': 'select 1;\n' }))).toBe(key);
  });

  it('misses when the baseline, the engine or its version, or the cache format changes', () => {
    const base: ReplayKeyInputs = {
      baseline: baselineSql(),
      files: [{ file: M(1), text: 'select 1;\n' }],
      platform: { postgresMajor: 17 },
      engine: `pglite@${pgliteVersion()}`,
    };
    const key = replayCacheKey(base);
    expect(replayCacheKey({ ...base })).toBe(key);
    const changed = [
      { ...base, baseline: `${base.baseline}\n-- changed\n` },
      { ...base, engine: 'pglite@0.0.1' },
      { ...base, engine: 'postgres@150004;extensions=;cron=none' },
      { ...base, engine: 'postgres@170002;extensions=;cron=none' },
      // Moving bytes between a path and its content is another input.
      { ...base, files: [{ file: `${M(1)}s`, text: 'elect 1;\n' }] },
    ];
    const keys = new Set([key, ...changed.map(replayCacheKey)]);
    expect(keys.size).toBe(changed.length + 1);
    expect(REPLAY_CACHE_FORMAT).toBeGreaterThan(0);
  });

  it('keys a server by its version and what it offers, read without opening a replay database', async (ctx) => {
    needsServer(ctx, 'the engine identity of a real server');
    const id = await engineIdentity(serverUrl());
    expect(id).toMatch(/^postgres@\d{5,6};extensions=.*;cron=(bound|none)$/);
    const root = tree(GOOD);
    expect(await keyOf(root, serverUrl())).not.toBe(await keyOf(root, ''));
    // An unreachable server cannot be identified: no key, the replay runs and reports it.
    expect(await keyOf(root, 'postgres://nobody@127.0.0.1:1/none')).toBeUndefined();
  });

  it('ignores a corrupted, truncated or mismatched entry and rebuilds it', async () => {
    const root = tree(GOOD);
    const dir = cacheDir();
    const uncached = verdict(await run(root));
    await run(root, { replayCache: dir });
    const key = (await keyOf(root)) as string;
    const file = path.join(dir, `${key}.bin`);
    const good = fs.readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[good.length - 5] = (flipped[good.length - 5] ?? 0) ^ 0xff;
    const other = path.join(dir, 'other');
    fs.mkdirSync(other);
    writeReplayCache(other, '0'.repeat(64), readReplayCache(dir, key) as NonNullable<ReturnType<typeof readReplayCache>>);
    const mismatched = fs.readFileSync(path.join(other, `${'0'.repeat(64)}.bin`));
    for (const [name, bytes] of Object.entries({ empty: Buffer.alloc(0), truncated: good.subarray(0, good.length - 10) })) {
      fs.writeFileSync(file, bytes);
      expect(readReplayCache(dir, key), name).toBeUndefined();
    }
    for (const [name, bytes] of Object.entries({ garbage: Buffer.from('not a cache entry'), flipped, mismatched })) {
      fs.writeFileSync(file, bytes);
      expect(readReplayCache(dir, key), name).toBeUndefined();
      expect(verdict(await run(root, { replayCache: dir })), name).toEqual(uncached);
      // Rebuilt: the entry is readable again.
      expect(readReplayCache(dir, key)?.applied, name).toEqual([M(1, 'items'), M(2, 'tags')]);
    }
  });

  it('gates check --no-cache neither reads nor writes the cache', async () => {
    const root = tree(GOOD);
    const dir = cacheDir();
    let errors = '';
    const io = (env: NodeJS.ProcessEnv) => ({ cwd: root, env, isTTY: false, stdout: () => undefined, stderr: (s: string) => void (errors += s) });
    const env = DATABASE_URL ? { DATABASE_URL } : {};
    const reportOf = (art: string): unknown => {
      expect(fs.existsSync(path.join(art, 'gate-report.json')), errors).toBe(true);
      return JSON.parse(fs.readFileSync(path.join(art, 'gate-report.json'), 'utf8'));
    };
    const a1 = tree({});
    await main(['check', '--only', 'migrations', '--artifacts', a1, '--no-cache'], io(env), undefined, { replayCacheDir: dir });
    expect(entries(dir)).toEqual([]);
    const a2 = tree({});
    await main(['check', '--only', 'migrations', '--artifacts', a2], io(env), undefined, { replayCacheDir: dir });
    expect(entries(dir)).toHaveLength(1);
    const key = (await keyOf(root)) as string;
    const stored = readReplayCache(dir, key) as NonNullable<ReturnType<typeof readReplayCache>>;
    writeReplayCache(dir, key, {
      ...stored,
      failure: { file: M(2, 'tags'), offset: 0, message: 'stored by the replay-cache test', code: 'XX000', timedOut: false },
    });
    const a3 = tree({});
    await main(['check', '--only', 'migrations', '--artifacts', a3, '--no-cache'], io(env), undefined, { replayCacheDir: dir });
    expect(JSON.stringify(reportOf(a3))).not.toContain('stored by the replay-cache test');
    expect(JSON.stringify((reportOf(a3) as { findings: unknown }).findings)).toBe(JSON.stringify((reportOf(a1) as { findings: unknown }).findings));
    const a4 = tree({});
    await main(['check', '--only', 'migrations', '--artifacts', a4], io(env), undefined, { replayCacheDir: dir });
    expect(JSON.stringify(reportOf(a4))).toContain('stored by the replay-cache test');
  });

  it('notes a stamp of the migrations folder with a stored or used result, so a later run guesses a hit before reading the migrations', async () => {
    const root = tree(GOOD);
    const dir = cacheDir();
    const stampOf = (): string | undefined => replayStamp(root, 'migrations', 'ssot/platform.yaml', path.join(ROOT, 'gates/db/supabase-baseline.sql'));
    const first = stampOf();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(stampMatches(dir, root, first ?? '')).toBe(false);
    // The stamp only decides when PGlite's worker starts: a replay on a server notes none.
    const onPglite = (): Promise<GateResult> => runGates({ root, artifactsDir: tree({}), policies, replayCache: dir });
    if (DATABASE_URL) {
      await run(root, { replayCache: dir });
      expect(stampMatches(dir, root, first ?? '')).toBe(false);
    }
    await onPglite();
    expect(stampMatches(dir, root, first ?? '')).toBe(true);
    // Another root has its own stamp.
    expect(stampMatches(dir, tree(GOOD), first ?? '')).toBe(false);
    // A migration edited, added, or the platform changed: another stamp, so the worker starts early.
    const stamps = new Set([first]);
    const edit = (file: string, text: string): void => {
      fs.writeFileSync(path.join(root, file), text);
      const s = stampOf();
      expect(stamps.has(s), file).toBe(false);
      stamps.add(s);
    };
    edit(M(2, 'tags'), `${TAGS}-- a longer comment\n`);
    edit(M(3, 'more'), 'select 1;\n');
    edit('ssot/platform.yaml', PLATFORM.replace('postgres_major: 17', 'postgres_major: 15'));
    // The run notes the new stamp once its result is stored; a damaged stamp file is only a miss.
    await onPglite();
    expect(stampMatches(dir, root, stampOf() ?? '')).toBe(true);
    const [file] = fs.readdirSync(dir).filter((f) => f.startsWith('stamp-'));
    fs.writeFileSync(path.join(dir, file ?? ''), 'damaged');
    expect(stampMatches(dir, root, stampOf() ?? '')).toBe(false);
    expect(replayStamp(tree({ 'README.md': 'x\n' }), 'migrations', 'ssot/platform.yaml', 'nowhere')).toBeUndefined();
  });
});
