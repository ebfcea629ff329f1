import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../gates/core/finding.ts';
import { runGates } from '../gates/core/run.ts';
import { policies } from '../policies/index.ts';
import { SVC_SCHEMA } from './helpers/svc-schema.ts';
import { useTrees } from './helpers/tree.ts';

const newTree = useTrees();
const schema = SVC_SCHEMA;
const base = {
  'schemas/ssot/svc.schema.json': schema,
  'schemas/map.yaml': '- files: ssot/*.yaml\n  schema: schemas/ssot/svc.schema.json\n',
};

/** The one finding of `policy` on a tree. */
async function only(policy: string, files: Record<string, string>): Promise<Finding> {
  const root = newTree({ ...base, ...files });
  const p = policies.find((x) => x.id === policy);
  if (!p) throw new Error(policy);
  const r = await runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies: [p] });
  expect(r.findings).toHaveLength(1);
  return r.findings[0] as Finding;
}

describe('fingerprints', () => {
  it('YAML: survive lines inserted above and an unrelated key edit; change with the offending value', async () => {
    const a = await only('ssot/schema', { 'ssot/svc.yaml': 'name: mail\nport: twenty-five\n' });
    const moved = await only('ssot/schema', { 'ssot/svc.yaml': '# The mail relay.\n\nname: mail\n\nport: twenty-five\n' });
    const unrelated = await only('ssot/schema', { 'ssot/svc.yaml': 'name: mail-relay\nport: twenty-five\n' });
    const changed = await only('ssot/schema', { 'ssot/svc.yaml': 'name: mail\nport: twenty-six\n' });
    expect([a.line, moved.line]).toEqual([2, 5]);
    expect(moved.fingerprint).toBe(a.fingerprint);
    expect(unrelated.fingerprint).toBe(a.fingerprint);
    expect(changed.fingerprint).not.toBe(a.fingerprint);
  });

  it('SQL: survive statements inserted above; change with the offending text', async () => {
    const file = 'migrations/20260101000000_init.sql';
    const a = await only('migrations/syntax', { [file]: 'create table t (id int);\nSELEC 1;\n' });
    const moved = await only('migrations/syntax', { [file]: '-- The first table.\ncreate table t (id int);\n\ncreate table u (id int);\nSELEC 1;\n' });
    const changed = await only('migrations/syntax', { [file]: 'create table t (id int);\nSELEKT 1;\n' });
    expect([a.line, moved.line]).toEqual([2, 5]);
    expect(moved.fingerprint).toBe(a.fingerprint);
    expect(changed.fingerprint).not.toBe(a.fingerprint);
  });

  it('Markdown: survive paragraphs inserted above; change with the offending value', async () => {
    const a = await only('docs/links', { 'docs/notes.md': '# Notes\n\nSee [the runbook](ops/missing.md) here.\n' });
    const moved = await only('docs/links', { 'docs/notes.md': '# Notes\n\nA new paragraph.\n\nAnd one more.\n\nSee [the runbook](ops/missing.md) here.\n' });
    const changed = await only('docs/links', { 'docs/notes.md': '# Notes\n\nSee [the runbook](ops/other.md) here.\n' });
    expect([a.line, moved.line]).toEqual([3, 7]);
    expect(moved.fingerprint).toBe(a.fingerprint);
    expect(changed.fingerprint).not.toBe(a.fingerprint);
  });

  it('secret values: survive moved lines; the value itself is never hashed (see secrets-no-values.test.ts)', async () => {
    // gates-allow secrets/no-values: a made-up token whose fingerprint the test follows
    const token = 'ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A';
    const a = await only('secrets/no-values', { 'docs/notes.md': `# Notes\n\nThe token is ${token} here.\n` });
    const moved = await only('secrets/no-values', { 'docs/notes.md': `# Notes\n\nA new paragraph.\n\nAnd one more.\n\nThe token is ${token} here.\n` });
    expect([a.line, moved.line]).toEqual([3, 7]);
    expect(moved.fingerprint).toBe(a.fingerprint);
  });
});
