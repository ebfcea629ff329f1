import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type CliIO } from '../gates/main.ts';
import { SVC_SCHEMA } from './helpers/svc-schema.ts';
import { useTrees } from './helpers/tree.ts';

const schema = SVC_SCHEMA;
const newTree = useTrees();
const tree = (files: Record<string, string>) =>
  newTree({
    'schemas/ssot/svc.schema.json': schema,
    'schemas/map.yaml': '- files: ssot/*.yaml\n  schema: schemas/ssot/svc.schema.json\n',
    '.vscode/settings.json': JSON.stringify({ 'yaml.schemas': { 'schemas/ssot/svc.schema.json': ['ssot/*.yaml'] } }),
    ...files,
  });

async function gates(root: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {}, cwd: root, isTTY: false };
  const code = await main(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('gates baseline and check --baseline', () => {
  it('lets the old findings pass, fails a new one, reports what is gone and prunes it', async () => {
    const root = tree({ 'ssot/a.yaml': 'name: a\nport: twenty-five\n', 'ssot/b.yaml': 'name: b\nport: x\nprot: 1\n' });
    const only = ['--only', 'files,ssot'];
    expect((await gates(root, 'check', ...only)).code).toBe(1);

    const written = await gates(root, 'baseline', ...only);
    expect(written.code).toBe(0);
    expect(written.stderr).toBe(
      'gates: wrote 3 findings of 2 files to gates-baseline.json; check it in and run `gates check --baseline gates-baseline.json`\n',
    );
    const file = path.join(root, 'gates-baseline.json');
    const b = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      version: number;
      entries: Array<{ file: string; policy: string; count: number; fingerprints: Record<string, number> }>;
    };
    expect(b.version).toBe(2);
    expect(b.entries.map((e) => `${e.file} ${e.policy} ${e.count}`)).toEqual(['ssot/a.yaml ssot/schema 1', 'ssot/b.yaml ssot/schema 2']);

    // The old findings pass, reported as baselined; lines inserted above do not matter.
    fs.writeFileSync(path.join(root, 'ssot/a.yaml'), '# Service a.\n\nname: a\nport: twenty-five\n');
    const pass = await gates(root, 'check', ...only, '--baseline', 'gates-baseline.json', '--format', 'json');
    expect(pass.code).toBe(0);
    const report = JSON.parse(pass.stdout) as {
      findings: Array<{ file: string; line: number; suppressed?: { kind: string; file: string } }>;
      summary: Record<string, number>;
    };
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.suppressed?.kind ?? 'unsuppressed'} ${f.suppressed?.file ?? '-'}`)).toEqual([
      'ssot/a.yaml:4 baseline gates-baseline.json',
      'ssot/b.yaml:2 baseline gates-baseline.json',
      'ssot/b.yaml:3 baseline gates-baseline.json',
    ]);
    expect(report.summary).toMatchObject({ errors: 0, suppressed: 3 });
    expect(pass.stderr).toBe('gates: 3 findings baselined by gates-baseline.json\n');

    // A new finding fails the run; the baselined ones still pass.
    fs.writeFileSync(path.join(root, 'ssot/c.yaml'), 'port: y\n');
    const fail = await gates(root, 'check', ...only, '--baseline', 'gates-baseline.json');
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain('ssot/c.yaml\n  1:7  error');
    expect(fail.stdout).toContain('✖ 1 problem (1 error, 0 warnings, 0 notices, 3 suppressed)');

    // A fixed finding leaves its entry behind: reported, then pruned.
    fs.rmSync(path.join(root, 'ssot/c.yaml'));
    fs.writeFileSync(path.join(root, 'ssot/b.yaml'), 'name: b\nport: x\n');
    const stale = await gates(root, 'check', ...only, '--baseline', 'gates-baseline.json');
    expect(stale.code).toBe(0);
    expect(stale.stderr).toMatch(
      /^gates: 2 findings baselined by .*\ngates: baseline entry gone: ssot\/b\.yaml ssot\/schema [0-9a-f]{32}\ngates: 1 baselined finding is gone; run again with --prune to drop it from gates-baseline\.json\n$/,
    );
    const pruned = await gates(root, 'check', ...only, '--baseline', 'gates-baseline.json', '--prune');
    expect(pruned.code).toBe(0);
    expect(pruned.stderr).toContain('gates: pruned 1 finding that is gone from gates-baseline.json');
    const after = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof b;
    expect(after.entries.map((e) => `${e.file} ${e.policy} ${e.count}`)).toEqual(['ssot/a.yaml ssot/schema 1', 'ssot/b.yaml ssot/schema 1']);
    const clean = await gates(root, 'check', ...only, '--baseline', 'gates-baseline.json');
    expect(clean.stderr).toBe('gates: 2 findings baselined by gates-baseline.json\n');
  });

  it('a changed offending value is a new finding, not the baselined one', async () => {
    const root = tree({ 'ssot/a.yaml': 'port: twenty-five\n' });
    await gates(root, 'baseline', '--only', 'ssot/schema');
    fs.writeFileSync(path.join(root, 'ssot/a.yaml'), 'port: twenty-six\n');
    const r = await gates(root, 'check', '--only', 'ssot/schema', '--baseline', 'gates-baseline.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('gates: 1 baselined finding is gone');
  });

  it('refuses a bad baseline file and --prune where what is gone cannot be known', async () => {
    const root = tree({ 'ssot/a.yaml': 'port: 1\n' });
    expect((await gates(root, 'check', '--baseline', 'nope.json')).stderr).toMatch(
      /^gates: --baseline nope.json: no such file; write one with `gates baseline`/,
    );
    fs.writeFileSync(path.join(root, 'old.json'), '{"version":1,"entries":[]}');
    expect((await gates(root, 'check', '--baseline', 'old.json')).code).toBe(2);
    expect((await gates(root, 'check', '--prune')).stderr).toMatch(/^gates: --prune needs --baseline FILE/);
    expect((await gates(root, 'check', '--baseline', 'old.json', '--prune', '--shard', '1/2')).code).toBe(2);
    expect((await gates(root, 'check', '--shard', '3/2')).stderr).toMatch(/^gates: --shard 3\/2: expected K\/N/);
  });
});
