import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { PolicyId } from '../policies/ids.ts';
import { policies } from '../policies/index.ts';
import { IDS_FILE, idsFileText, policyModuleIds } from '../scripts/policy-ids.ts';
import { expectedLines, fixtureDir, fixtureOptions, invalidCases, runPolicyOn } from '../gates/testing/fixtures.ts';

// Each policy's cases are static trees on disk (valid/, and invalid/<case>/ with <case>.expected); this only runs them.
describe.each(policies.map((p) => [p.id, p] as const))('%s', (id, policy) => {
  it('reports nothing on its valid tree', async () => {
    const { lines } = await runPolicyOn(policy, path.join(fixtureDir(id), 'valid'), fixtureOptions(id));
    expect(lines).toEqual([]);
  });

  it.each(invalidCases(id).map((c) => [c.name, c] as const))('invalid case %s reports exactly its expected findings', async (_, c) => {
    const { caseLines, internalErrors } = await runPolicyOn(policy, c.dir, c.options);
    expect(internalErrors).toBe(0);
    expect(caseLines).toEqual(expectedLines(c));
    expect(caseLines.length).toBeGreaterThan(0);
  });
});

describe('policy registry', () => {
  const root = path.resolve(import.meta.dirname, '..');

  it('registers every policy module, each id equal to its path', () => {
    expect(policies.map((p) => p.id).sort()).toEqual(policyModuleIds(root));
  });

  it('keeps the PolicyId union (policies/ids.ts) equal to the registry', () => {
    expect(fs.readFileSync(path.join(root, IDS_FILE), 'utf8')).toBe(idsFileText(policies.map((p) => p.id).sort()));
    // A misspelt id is a type error (checked by npm run typecheck, which covers this file).
    expectTypeOf<'parity/smtp-port'>().toExtend<PolicyId>();
    expectTypeOf<'parity/smtp-ports'>().not.toExtend<PolicyId>();
  });

  it('keeps every invalid case as a folder with its own expected file, and nothing else under invalid/', () => {
    for (const p of policies) {
      const invalid = path.join(fixtureDir(p.id), 'invalid');
      expect(fs.existsSync(path.join(fixtureDir(p.id), 'invalid.expected')), `${p.id}: one invalid.expected for many cases`).toBe(false);
      const entries = fs.existsSync(invalid) ? fs.readdirSync(invalid, { withFileTypes: true }) : [];
      const cases = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
      expect(cases.size, `${p.id} has no invalid case`).toBeGreaterThan(0);
      for (const e of entries) {
        if (e.isDirectory()) {
          expect(fs.existsSync(path.join(invalid, `${e.name}.expected`)), `${p.id}: case ${e.name} has no ${e.name}.expected`).toBe(true);
          expect(e.name, `${p.id}: case names are kebab-case`).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        } else {
          const m = /^(.+?)\.(expected|options\.json)$/.exec(e.name);
          expect(m !== null && cases.has(m[1] as string), `${p.id}: invalid/${e.name} belongs to no case`).toBe(true);
        }
      }
    }
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

  it('gives every policy a valid tree and invalid cases, each with its expected file', () => {
    for (const p of policies) {
      expect(fs.existsSync(path.join(fixtureDir(p.id), 'valid')), `${p.id}: valid/`).toBe(true);
      const cases = invalidCases(p.id);
      expect(cases.length, `${p.id}: invalid cases`).toBeGreaterThan(0);
      for (const c of cases) expect(fs.existsSync(c.expectedFile), `${p.id}: ${c.expectedFile}`).toBe(true);
    }
  });

  it('has unique ids in area/kebab-name form', () => {
    const ids = policies.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*\/[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
