import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Repo } from '../gates/core/repo.ts';
import { fixtureDir, invalidCases, runPolicyOn } from '../gates/testing/fixtures.ts';
import { policies } from '../policies/index.ts';
import { useTrees } from './helpers/tree.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-yaml-cache-'));
  dirs.push(d);
  return d;
}
const tree = useTrees();

const packs = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.bin')) : []);

/** Every YAML-reading area's trees: the well-formedness cases (broken files, bombs, duplicates) and the SSOT's. */
const AREAS = policies.filter((p) => p.id.startsWith('files/') || p.id.startsWith('ssot/') || p.id.startsWith('parity/'));

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

describe('the YAML cache', () => {
  it('gives every policy that reads YAML the same findings parsed, stored and loaded from the cache', async () => {
    for (const policy of AREAS) {
      for (const root of [path.join(fixtureDir(policy.id), 'valid'), ...invalidCases(policy.id).map((c) => c.dir)]) {
        if (!fs.existsSync(root)) continue;
        const cache = tempDir();
        const fresh = await runPolicyOn(policy, root);
        const stored = await runPolicyOn(policy, root, { yamlCache: cache });
        const loaded = await runPolicyOn(policy, root, { yamlCache: cache });
        expect(stored.findings, `${policy.id} ${root}`).toEqual(fresh.findings);
        expect(loaded.findings, `${policy.id} ${root}`).toEqual(fresh.findings);
      }
    }
  });

  it('keeps values JSON cannot hold, documents, problems and lines exactly', () => {
    const root = tree({ 'odd.yaml': ODD, 'broken.yaml': 'a: [1, 2\nb: c\n', 'dup.yaml': 'a: 1\nb: 2\na: 3\n', 'same.yaml': ODD });
    const cache = tempDir();
    const read = () => {
      const repo = new Repo({ root, artifactsDir: path.join(root, 'artifacts'), yamlCache: cache });
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
    await runPolicyOn(policy, root, { yamlCache: cache });
    const [pack] = packs(cache);
    const file = path.join(cache, pack ?? '');
    const good = fs.readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] ?? 0) ^ 0xff;
    fs.writeFileSync(file, flipped);
    expect((await runPolicyOn(policy, root, { yamlCache: cache })).findings).toEqual(fresh.findings);
    expect(fs.readFileSync(file).equals(good)).toBe(true);
    fs.writeFileSync(file, 'not a pack');
    expect((await runPolicyOn(policy, root, { yamlCache: cache })).findings).toEqual(fresh.findings);
    expect(fs.readFileSync(file).equals(good)).toBe(true);
  });

  it('keeps only the entries of the last run', () => {
    const root = tree({ 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 2\n' });
    const cache = tempDir();
    const run = (files: string[]) => {
      const repo = new Repo({ root, artifactsDir: path.join(root, 'artifacts'), yamlCache: cache });
      for (const f of files) repo.yaml(f);
      repo.saveCaches();
    };
    run(['a.yaml', 'b.yaml']);
    const both = fs.statSync(path.join(cache, packs(cache)[0] ?? '')).size;
    run(['a.yaml']);
    expect(fs.statSync(path.join(cache, packs(cache)[0] ?? '')).size).toBeLessThan(both);
  });
});
