import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../gates/main.ts';
import { git, write } from './github-repo.ts';
import { useTrees } from './helpers/tree.ts';

const schema = JSON.stringify({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://odooops.dev/schemas/test/svc.schema.json',
  description: 'A service.',
  type: 'object',
  properties: { port: { description: 'Port.', type: 'integer' } },
});
const newTree = useTrees();
const ONLY = ['--only', 'ssot/schema,ssot/unique-ids,secrets/references,migrations/syntax'];
let root = '';

beforeEach(() => {
  root = newTree({
    'schemas/ssot/svc.schema.json': schema,
    'schemas/map.yaml': '- files: ssot/svc-*.yaml\n  schema: schemas/ssot/svc.schema.json\n',
    'ssot/svc-a.yaml': 'port: 1\n',
    'ssot/svc-b.yaml': 'port: bad\nrunner: r1\n',
    'ssot/svc-c.yaml': 'port: 3\ntoken_secret: old_key\n',
    'ssot/svc-d.yaml': 'port: 4\n',
    'ssot/secrets/registry.yaml': 'version: 1\nsecrets:\n  old_key:\n    purpose: The old key.\n',
    'migrations/20260101000000_init.sql': 'create table t (id int);\n',
  });
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
});

type Report = { findings: Array<{ file: string; line: number; policy: string }>; policies: Array<{ id: string; status: string; reason?: string }> };

async function changed(): Promise<{ found: string[]; status: Record<string, string> }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {}, cwd: root, isTTY: false };
  await main(['check', '--changed', '--base', 'main', '--format', 'json', ...ONLY], io);
  expect(err.join('')).toBe('');
  const r = JSON.parse(out.join('')) as Report;
  return {
    found: r.findings.map((f) => `${f.file}:${f.line} ${f.policy}`),
    status: Object.fromEntries(r.policies.map((p) => [p.id, p.reason ? `${p.status}: ${p.reason}` : p.status])),
  };
}

describe('--changed re-checks the changed files and what depends on them', () => {
  it('a changed SSOT file: only that file, not the old finding elsewhere; cross-file policies skip with the reason', async () => {
    write(root, 'ssot/svc-a.yaml', 'port: nope\n');
    const r = await changed();
    expect(r.found).toEqual(['ssot/svc-a.yaml:1 ssot/schema']);
    expect(r.status['ssot/unique-ids']).toMatch(
      /^skipped: the change alters no runner id, secret reference or shared SSOT file \(1 changed SSOT file compared with [0-9a-f]{12}\)$/,
    );
    expect(r.status['migrations/syntax']).toBe('skipped: no changed file matches its globs');
  });

  it('a changed runner id re-runs the cross-file policies', async () => {
    write(root, 'ssot/svc-a.yaml', 'port: 1\nrunner: r1\n');
    const r = await changed();
    // The second occurrence (in path order) is the one reported, naming the first.
    expect(r.found).toEqual(['ssot/svc-b.yaml:2 ssot/unique-ids']);
    expect(r.status['ssot/unique-ids']).toBe('ran');
  });

  it('a schema change re-checks the files it governs', async () => {
    write(root, 'schemas/ssot/svc.schema.json', schema.replace('"A service."', '"A service of the platform."'));
    const r = await changed();
    expect(r.found).toEqual(['ssot/svc-b.yaml:1 ssot/schema']);
  });

  it('a registry change re-checks the files that reference secrets', async () => {
    write(root, 'ssot/secrets/registry.yaml', 'version: 1\nsecrets:\n  new_key:\n    purpose: The new key.\n');
    const r = await changed();
    expect(r.found).toEqual(['ssot/svc-c.yaml:2 secrets/references']);
    expect(r.status['ssot/schema']).toBe('ran');
  });

  it('a migration change re-runs the migration gates and nothing of the SSOT', async () => {
    write(root, 'migrations/20260102000000_next.sql', 'SELEC 1;\n');
    const r = await changed();
    expect(r.found).toEqual(['migrations/20260102000000_next.sql:1 migrations/syntax']);
    expect(r.status['ssot/schema']).toBe('skipped: no changed file matches its globs');
    expect(fs.existsSync(path.join(root, 'artifacts', 'gate-report.json'))).toBe(true);
  });
});
