import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { policies } from '../policies/index.ts';
import { expectedLines, fixtureDir, fixtureOptions, runPolicyOn } from '../gates/testing/fixtures.ts';

// Each policy's cases are static trees on disk (valid/ and invalid/ + invalid.expected); this only runs them.
describe.each(policies.map((p) => [p.id, p] as const))('%s', (id, policy) => {
  it('reports nothing on its valid tree', async () => {
    const { lines } = await runPolicyOn(policy, path.join(fixtureDir(id), 'valid'), fixtureOptions(id));
    expect(lines).toEqual([]);
  });

  it('reports exactly the expected findings on its invalid tree', async () => {
    const { lines, internalErrors } = await runPolicyOn(policy, path.join(fixtureDir(id), 'invalid'), fixtureOptions(id));
    expect(internalErrors).toBe(0);
    expect(lines).toEqual(expectedLines(id));
    expect(lines.length).toBeGreaterThan(0);
  });
});

describe('policy registry', () => {
  const root = path.resolve(import.meta.dirname, '..');

  it('registers every policy module, each id equal to its path', () => {
    const modules = fs
      .readdirSync(path.join(root, 'policies'), { recursive: true, encoding: 'utf8' })
      .map((f) => f.split(path.sep).join('/'))
      .filter((f) => f.endsWith('.ts') && !f.includes('__fixtures__') && !f.includes('_lib/') && path.posix.basename(f) !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(policies.map((p) => p.id).sort()).toEqual(modules);
  });

  it('gives every policy a docs page with why, examples and a fix', () => {
    for (const p of policies) {
      const file = path.join(root, p.docs);
      expect(fs.existsSync(file), `${p.id}: ${p.docs}`).toBe(true);
      const text = fs.readFileSync(file, 'utf8');
      for (const heading of ['## Why', '## Bad', '## Good', '## How to fix']) {
        expect(text, `${p.docs} needs a "${heading}" section`).toContain(heading);
      }
    }
  });

  it('gives every policy both fixture trees and an expected file', () => {
    for (const p of policies) {
      const dir = fixtureDir(p.id);
      for (const part of ['valid', 'invalid', 'invalid.expected']) {
        expect(fs.existsSync(path.join(dir, part)), `${p.id}: ${part}`).toBe(true);
      }
    }
  });

  it('has unique ids in area/kebab-name form', () => {
    const ids = policies.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*\/[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
