import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactProblems, artifactSchema, ENGINE_DIR } from '../gates/core/artifacts.ts';
import { Repo } from '../gates/core/repo.ts';
import { SchemaSet } from '../gates/core/schema.ts';
import { cachedValidators, type SchemaSource } from '../gates/core/validators.ts';
import { fixtureDir, invalidCases, runPolicyOn } from '../gates/testing/fixtures.ts';
import type { Policy } from '../gates/core/policy.ts';
import { policies } from '../policies/index.ts';
import { useTempDirs } from './helpers/tree.ts';

const tempDir = useTempDirs('gates-validators-');

const entries = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cjs')) : []).sort();

function policy(id: string): Policy {
  const p = policies.find((x) => x.id === id);
  if (!p) throw new Error(`no policy ${id}`);
  return p;
}

/** The trees the schema policies are tested on, and the engine's own repository with all its schemas. */
function schemaTrees(id: string): string[] {
  return [path.join(fixtureDir(id), 'valid'), ...invalidCases(id).map((c) => c.dir)];
}

describe('the compiled-validator cache', () => {
  for (const id of ['ssot/schema', 'ssot/schema-coverage', 'ssot/editor-schemas']) {
    it(`gives ${id} the same findings compiled, stored and loaded from the cache`, async () => {
      for (const root of [...schemaTrees(id), ENGINE_DIR]) {
        const cache = tempDir();
        const fresh = await runPolicyOn(policy(id), root);
        const stored = await runPolicyOn(policy(id), root, { schemaCache: cache });
        const loaded = await runPolicyOn(policy(id), root, { schemaCache: cache });
        expect(stored.caseLines, root).toEqual(fresh.caseLines);
        expect(loaded.caseLines, root).toEqual(fresh.caseLines);
        expect(loaded.findings.map((f) => f.message)).toEqual(fresh.findings.map((f) => f.message));
        // The engine's own schemas are all valid: the third run loaded them from the cache.
        if (root === ENGINE_DIR) expect(entries(cache)).toHaveLength(1);
      }
    });
  }

  it('stores a set of schemas once, and a new entry when a schema changes', () => {
    const cache = tempDir();
    const root = tempDir();
    fs.cpSync(path.join(fixtureDir('ssot/schema'), 'valid'), root, { recursive: true });
    const set = () => SchemaSet.of(new Repo({ root, artifactsDir: path.join(root, 'artifacts'), schemaCache: cache }));
    expect(cachedValidators(cache, 'ssot', sourcesOf(root))).toBeUndefined();
    set();
    expect(entries(cache)).toHaveLength(1);
    expect(cachedValidators(cache, 'ssot', sourcesOf(root))?.size).toBe(sourcesOf(root).length);
    set();
    expect(entries(cache)).toHaveLength(1);
    const schema = path.join(root, sourcesOf(root)[0]?.file ?? '');
    const parsed = JSON.parse(fs.readFileSync(schema, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(schema, JSON.stringify({ ...parsed, description: 'changed' }));
    expect(cachedValidators(cache, 'ssot', sourcesOf(root))).toBeUndefined();
    set();
    expect(entries(cache)).toHaveLength(2);
  });

  it('never stores a set with an invalid schema, and still reports it', async () => {
    const cache = tempDir();
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'schemas'));
    fs.writeFileSync(path.join(root, 'schemas', 'a.schema.json'), JSON.stringify({ $id: 'https://x.test/a', type: 'object' }));
    fs.writeFileSync(path.join(root, 'schemas', 'b.schema.json'), JSON.stringify({ $id: 'https://x.test/b', type: 'no-such-type' }));
    const first = await runPolicyOn(policy('ssot/schema'), root, { schemaCache: cache });
    expect(first.lines.join('\n')).toContain('schema is invalid');
    expect(entries(cache)).toEqual([]);
    const second = await runPolicyOn(policy('ssot/schema'), root, { schemaCache: cache });
    expect(second.lines).toEqual(first.lines);
  });

  it('ignores an entry whose code was altered, compiles again and replaces it', async () => {
    const cache = tempDir();
    const root = path.join(fixtureDir('ssot/schema'), 'valid');
    const fresh = await runPolicyOn(policy('ssot/schema'), root);
    await runPolicyOn(policy('ssot/schema'), root, { schemaCache: cache });
    const [entry] = entries(cache);
    expect(entry).toBeDefined();
    const file = path.join(cache, entry ?? '');
    const good = fs.readFileSync(file, 'utf8');
    // Every validator accepts anything: trusted, this would hide every schema error.
    fs.writeFileSync(file, good.replace(/\n/, '\nfunction alwaysValid() { return true; }\n'));
    const sources = sourcesOf(root);
    expect(cachedValidators(cache, 'ssot', sources)).toBeUndefined();
    const again = await runPolicyOn(policy('ssot/schema'), root, { schemaCache: cache });
    expect(again.caseLines).toEqual(fresh.caseLines);
    expect(fs.readFileSync(file, 'utf8')).toBe(good);
    fs.writeFileSync(file, 'not even javascript');
    expect(cachedValidators(cache, 'ssot', sources)).toBeUndefined();
  });

  it('validates the artifacts the same from the cache as freshly compiled, valid or not', () => {
    const cache = tempDir();
    const samples: unknown[] = [{}, { version: 1 }, [], 'x', null, { run: { id: 'not-a-uuid' }, findings: [{}] }];
    for (const file of fs.readdirSync(path.join(ENGINE_DIR, 'schemas', 'artifacts'))) {
      const kind = file.replace(/\.schema\.json$/, '');
      const loaded = () => cachedValidators(cache, 'artifact', [artifactSchema(kind)])?.get(`artifact:${kind}`);
      expect(loaded()).toBeUndefined();
      for (const data of samples) {
        const fresh = artifactProblems(kind, data, null);
        expect(fresh.length).toBeGreaterThan(0);
        expect(artifactProblems(kind, data, cache)).toEqual(fresh);
        const validate = loaded();
        expect(validate?.(data)).toBe(false);
        expect(validate?.errors?.map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim())).toEqual(fresh);
      }
    }
    expect(entries(cache)).toHaveLength(fs.readdirSync(path.join(ENGINE_DIR, 'schemas', 'artifacts')).length);
    for (const entry of entries(cache)) {
      const text = fs.readFileSync(path.join(cache, entry), 'utf8');
      expect(text).toMatch(/^\/\/ sha256:[0-9a-f]{64}\n/);
    }
  });
});

/** The schemas of a tree as SchemaSet reads them, to look the cache up directly. */
function sourcesOf(root: string): SchemaSource[] {
  const dir = path.join(root, 'schemas');
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((f) => {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const schema = JSON.parse(text) as { $id: string };
      return { file: `schemas/${f.split(path.sep).join('/')}`, id: schema.$id, text, schema };
    });
}
