import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_DIR, PARSE_CACHE_DIR } from '../gates/core/artifacts.ts';
import { Repo } from '../gates/core/repo.ts';
import { fixtureDir, invalidCases, runPolicyOn } from '../gates/testing/fixtures.ts';
import { policies } from '../policies/index.ts';
import { useTempDirs, useTrees } from './helpers/tree.ts';

const tempDir = useTempDirs('gates-yaml-cache-');
const tree = useTrees();

const packs = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.bin')) : []);

/**
 * Every YAML-reading area's trees (the well-formedness cases: broken files, bombs, duplicates;
 * the SSOT's) and the static migration policies' (syntax errors, justifications, long names).
 */
const AREAS = policies.filter(
  (p) =>
    p.id.startsWith('files/') ||
    p.id.startsWith('ssot/') ||
    p.id.startsWith('parity/') ||
    ['migrations/lint', 'migrations/syntax', 'migrations/file-names', 'workflows/actionlint'].includes(p.id),
);

/** Values JSON cannot hold, several documents, an empty one, a null one, merges and anchors. */
const ODD = `a: .nan
b: -.inf
c: -0.0
d: ~
e: &x { k: 1 }
f: { <<: *x, j: 2 }
"__proto__": { polluted: true }
---
---
- 1
- [two, 3.5e3]
`;

describe('the parse cache', () => {
  it('gives every policy that reads YAML or migrations the same findings parsed, stored and loaded from the cache', async () => {
    for (const policy of AREAS) {
      for (const root of [path.join(fixtureDir(policy.id), 'valid'), ...invalidCases(policy.id).map((c) => c.dir)]) {
        if (!fs.existsSync(root)) continue;
        const cache = tempDir();
        const fresh = await runPolicyOn(policy, root);
        const stored = await runPolicyOn(policy, root, { parseCache: cache });
        const loaded = await runPolicyOn(policy, root, { parseCache: cache });
        expect(stored.findings, `${policy.id} ${root}`).toEqual(fresh.findings);
        expect(loaded.findings, `${policy.id} ${root}`).toEqual(fresh.findings);
      }
    }
  });

  it('keeps what actionlint said of each workflow by its path and text, and lints a changed one again', async () => {
    const policy = policies.find((p) => p.id === 'workflows/actionlint');
    if (!policy) throw new Error('no workflows/actionlint');
    const workflow = (runsOn: string) =>
      `name: ci\non: push\njobs:\n  test:\n    runs-on: ${runsOn}\n    steps:\n      - run: echo \${{ github.event.issue.title }}\n`;
    const root = tree({ '.github/workflows/ci.yml': workflow('ubuntu-latest'), '.github/workflows/copy.yml': workflow('ubuntu-latest') });
    const cache = tempDir();
    const lines = async (opts: { parseCache?: string } = {}) =>
      (await runPolicyOn(policy, root, opts)).findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`);
    const fresh = await lines();
    expect(fresh.join('\n')).toContain('ci.yml:7');
    expect(await lines({ parseCache: cache })).toEqual(fresh);
    expect(packs(cache).filter((f) => f.startsWith('actionlint-'))).toHaveLength(1);
    expect(await lines({ parseCache: cache })).toEqual(fresh);
    // The same text under another path is its own entry (actionlint names the file); an edited file is linted again.
    fs.writeFileSync(path.join(root, '.github/workflows/ci.yml'), workflow('ubuntu-latst'));
    const edited = await lines({ parseCache: cache });
    expect(edited).toEqual(await lines());
    expect(edited).not.toEqual(fresh);
  });

  it('keeps values JSON cannot hold, documents, problems and lines exactly', () => {
    const root = tree({ 'odd.yaml': ODD, 'broken.yaml': 'a: [1, 2\nb: c\n', 'dup.yaml': 'a: 1\nb: 2\na: 3\n', 'same.yaml': ODD });
    const cache = tempDir();
    const read = () => {
      const repo = new Repo({ root, artifactsDir: path.join(root, 'artifacts'), parseCache: cache });
      const out = ['odd.yaml', 'broken.yaml', 'dup.yaml', 'same.yaml'].map((f) => {
        const y = repo.yaml(f);
        return { values: y?.values, problems: y?.problems, docCount: y?.docCount, lines: y?.lines.lineStarts, docs: y?.docs.length };
      });
      repo.saveCaches();
      return out;
    };
    const fresh = ['odd.yaml', 'broken.yaml', 'dup.yaml', 'same.yaml'].map((f) => {
      const y = new Repo({ root, artifactsDir: path.join(root, 'artifacts') }).yaml(f);
      return { values: y?.values, problems: y?.problems, docCount: y?.docCount, lines: y?.lines.lineStarts, docs: y?.docs.length };
    });
    expect(read()).toEqual(fresh);
    expect(packs(cache)).toHaveLength(1);
    const loaded = read();
    expect(loaded).toEqual(fresh);
    const odd = loaded[0]?.values?.[0] as Record<string, unknown>;
    expect(Number.isNaN(odd.a)).toBe(true);
    expect(odd.b).toBe(-Infinity);
    expect(Object.is(odd.c, -0)).toBe(true);
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(odd)).toContain('__proto__');
    // Two files with the same text never share their data.
    expect(loaded[3]?.values?.[0]).not.toBe(odd);
  });

  it('ignores a pack that fails its checksum or does not read, and rebuilds it', async () => {
    const cache = tempDir();
    const policy = policies.find((p) => p.id === 'files/yaml-wellformed');
    if (!policy) throw new Error('no files/yaml-wellformed');
    const root = path.join(fixtureDir(policy.id), 'invalid');
    const fresh = await runPolicyOn(policy, root);
    await runPolicyOn(policy, root, { parseCache: cache });
    const [pack] = packs(cache);
    const file = path.join(cache, pack ?? '');
    const good = fs.readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] ?? 0) ^ 0xff;
    fs.writeFileSync(file, flipped);
    expect((await runPolicyOn(policy, root, { parseCache: cache })).findings).toEqual(fresh.findings);
    expect(fs.readFileSync(file).equals(good)).toBe(true);
    fs.writeFileSync(file, 'not a pack');
    expect((await runPolicyOn(policy, root, { parseCache: cache })).findings).toEqual(fresh.findings);
    expect(fs.readFileSync(file).equals(good)).toBe(true);
  });

  it('reports the same when every migration comes from the cache and the parser loads only to scan', () => {
    const root = tree({
      'migrations/20260101000000_a.sql':
        'create schema ops;\ncreate table ops.t (id int);\n-- lint-allow drop-table: the table is empty, it was created above\ndrop table ops.t;\n',
      'migrations/20260101000001_b.sql': 'create tabel ops.x (id int);\n',
      [`migrations/20260101000002_c.sql`]: `create table ops.${'long_name_'.repeat(7)} (id int);\ndrop table ops.t;\n`,
    });
    const run = (): string => {
      const r = spawnSync(
        process.execPath,
        [path.join(ENGINE_DIR, 'gates', 'launcher.mjs'), 'check', '--root', root, '--only', 'migrations/lint,migrations/syntax', '--format', 'json'],
        { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } },
      );
      expect(r.status, r.stderr).toBe(1);
      const report = JSON.parse(r.stdout) as { findings: unknown[] };
      return JSON.stringify(report.findings);
    };
    try {
      const first = run();
      expect(first).toContain('syntax-error');
      expect(first).toContain('identifier-too-long');
      expect(run()).toBe(first);
    } finally {
      // The launcher keeps its packs in the engine's cache folder, one per root: remove this root's.
      const id = createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 16);
      for (const f of fs.existsSync(PARSE_CACHE_DIR) ? fs.readdirSync(PARSE_CACHE_DIR) : []) if (f.includes(id)) fs.rmSync(path.join(PARSE_CACHE_DIR, f));
    }
  });

  it('keeps only the entries of the last run', () => {
    const root = tree({ 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 2\n' });
    const cache = tempDir();
    const run = (files: string[]) => {
      const repo = new Repo({ root, artifactsDir: path.join(root, 'artifacts'), parseCache: cache });
      for (const f of files) repo.yaml(f);
      repo.saveCaches();
    };
    run(['a.yaml', 'b.yaml']);
    const both = fs.statSync(path.join(cache, packs(cache)[0] ?? '')).size;
    run(['a.yaml']);
    expect(fs.statSync(path.join(cache, packs(cache)[0] ?? '')).size).toBeLessThan(both);
  });
});
