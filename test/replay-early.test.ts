import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePolicy } from '../gates/core/policy.ts';
import type { RepoContext } from '../gates/core/repo.ts';
import { runGates } from '../gates/core/run.ts';
import { openBaselineDatabase } from '../gates/db/replay.ts';
import replayPolicy from '../policies/migrations/replay.ts';
import { DATABASE_URL } from './helpers/pg.ts';
import { useTrees } from './helpers/tree.ts';

const tree = useTrees();
const M = 'migrations/20260301000001_items.sql';

/** A policy that runs before the replay's and reports whether the replay had already started. */
const probe = definePolicy({
  id: 'test/replay-started',
  title: 'the replay started before this policy',
  severity: 'warning',
  appliesTo: ['**'],
  messages: { state: 'replay {{state}}' },
  check(ctx: RepoContext) {
    let started = true;
    void ctx.memo('db/replay', () => {
      started = false;
      return Promise.resolve(undefined);
    });
    return [{ file: 'x', line: 1, messageId: 'state', data: { state: started ? 'started' : 'not started' } }];
  },
});

async function states(files: Record<string, string>, policies = [probe, replayPolicy], options: { changedFiles?: string[] } = {}): Promise<string[]> {
  const root = tree(files);
  const r = await runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies, ...(DATABASE_URL ? { databaseUrl: DATABASE_URL } : {}), ...options });
  return r.findings.filter((f) => f.policy === probe.id).map((f) => f.message);
}

describe('the replay starts with the run', () => {
  it('begins before the policies that precede the replay policy, only when the replay policy runs', async () => {
    const files = { [M]: 'create table public.items (id bigint primary key);\n' };
    expect(await states(files)).toEqual(['replay started']);
    // Without the replay policy in the run nothing starts it.
    expect(await states(files, [probe])).toEqual(['replay not started']);
    // A pull request that touches no migration skips the replay policy: nothing starts.
    expect(await states({ ...files, 'README.md': 'x\n' }, [probe, replayPolicy], { changedFiles: ['README.md'] })).toEqual(['replay not started']);
  });

  it('reports the same with and without the early start', async () => {
    const root = tree({
      [M]: 'create table public.items (id bigint primary key);\n',
      'migrations/20260301000002_bad.sql': 'select 1;\ninsert into public.nothing values (1);\n',
    });
    const run = async (p: typeof replayPolicy) =>
      (
        await runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies: [p], ...(DATABASE_URL ? { databaseUrl: DATABASE_URL } : {}) })
      ).findings.map((f) => `${f.policy} ${f.file}:${f.line}:${f.column} ${f.message}`);
    const late: typeof replayPolicy = { ...replayPolicy };
    delete late.warmUp;
    const early = await run(replayPolicy);
    const notEarly = await run(late);
    expect(early).toEqual(notEarly);
    expect(early.join('\n')).toContain('migrations/replay migrations/20260301000002_bad.sql:2:');
  });

  it('runs PGlite with 16 MB of shared buffers', async () => {
    const db = await openBaselineDatabase(undefined);
    try {
      expect(await db.query('show shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
      // The data directory loaded from the cache holds the baseline.
      expect(await db.query("select count(*)::int as n from pg_namespace where nspname in ('auth', 'storage', 'extensions')")).toEqual([{ n: 3 }]);
    } finally {
      await db.close();
    }
  });
});
