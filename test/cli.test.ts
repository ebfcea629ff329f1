import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, type CliIO } from '../gates/main.ts';
import { definePolicy } from '../gates/core/policy.ts';
import { policies } from '../policies/index.ts';
import { useTrees } from './helpers/tree.ts';

const ENGINE = path.resolve(import.meta.dirname, '..');
const schema = JSON.stringify({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://odooops.dev/schemas/test/svc.schema.json',
  description: 'A service.',
  type: 'object',
  additionalProperties: false,
  properties: { port: { description: 'Port.', type: 'integer' } },
});
const base = {
  'schemas/ssot/svc.schema.json': schema,
  'schemas/map.yaml': '- files: ssot/*.yaml\n  schema: schemas/ssot/svc.schema.json\n',
  '.vscode/settings.json': JSON.stringify({ 'yaml.schemas': { 'schemas/ssot/svc.schema.json': ['ssot/*.yaml'] } }),
};
const newTree = useTrees();
const tree = (files: Record<string, string>): string => newTree({ ...base, ...files });

/** Runs the real CLI in a child process, as `npm run gates` does. */
function gates(args: string[], cwd = ENGINE) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ENGINE, 'gates/cli.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', DATABASE_URL: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {}, cwd, isTTY: false };
  return { io: value, out, err };
}

describe('gates check, end to end', () => {
  it('exits 0 on a clean repository and says so', () => {
    const root = tree({ 'ssot/svc.yaml': 'port: 587\n' });
    const r = gates(['check', '--root', root, '--only', 'files,ssot']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✔ no problems \(\d+ policies ran\)\n$/);
  });

  it('exits 1 on an error-level finding and prints it where it is', () => {
    const root = tree({ 'ssot/svc.yaml': 'port: 587\nprot: 25\n' });
    const r = gates(['check', '--root', root, '--only', 'files,ssot']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      ['ssot/svc.yaml', '  2:1  error  unknown key `prot` — did you mean `port`?  ssot/schema', '', '✖ 1 problem (1 error, 0 warnings, 0 notices)', ''].join(
        '\n',
      ),
    );
  });

  it('exits 2 on a usage error: an unknown option, format, command or policy', () => {
    for (const args of [['check', '--bogus'], ['check', '--format', 'xml'], ['frobnicate'], ['check', '--only', 'ssot/shcema']]) {
      const r = gates(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^gates: /);
    }
    expect(gates(['check', '--only', 'ssot/shcema']).stderr).toContain('did you mean `ssot/schema`?');
  });

  it('writes the JSON report in the documented shape, to stdout and to the artifact', () => {
    const root = tree({ 'ssot/svc.yaml': 'port: "587"\n' });
    const r = gates(['check', '--root', root, '--format', 'json', '--only', 'ssot/schema']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>>; summary: Record<string, number> };
    expect(report.findings).toEqual([
      {
        policy: 'ssot/schema',
        severity: 'error',
        message: '`port` must be an integer, got the string "587"',
        messageId: 'type',
        data: { path: 'port', expected: 'an integer', actual: 'the string "587"' },
        file: 'ssot/svc.yaml',
        line: 1,
        column: 7,
        endLine: 1,
        endColumn: 12,
        docs: 'docs/policies/ssot/schema.md',
        docsUrl: pathToFileURL(path.join(ENGINE, 'docs/policies/ssot/schema.md')).href,
        fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
        pointer: '/port',
        doc: 0,
      },
    ]);
    expect(report.summary).toEqual({ errors: 1, warnings: 0, notices: 0, suppressed: 0, internalErrors: 0 });
    const artifact = fs.readFileSync(path.join(root, 'artifacts', 'gate-report.json'), 'utf8');
    expect(artifact).toBe(r.stdout);
  });

  it('writes several formats in one run, each to its own target', () => {
    const root = tree({ 'ssot/svc.yaml': 'port: x\n' });
    const r = gates(['check', '--root', root, '--only', 'files,ssot', '--format', 'stylish', '--format', `json:${path.join(root, 'out/r.json')}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1:7  error');
    expect(JSON.parse(fs.readFileSync(path.join(root, 'out/r.json'), 'utf8')).summary.errors).toBe(1);
  });

  it('gives the same bytes for the same input, but for the run fields (its identity and timings)', () => {
    const root = tree({ 'ssot/svc.yaml': 'prot: 1\nport: x\n', 'ssot/other.yaml': 'a: [1\n' });
    const a = gates(['check', '--root', root, '--format', 'json']);
    const b = gates(['check', '--root', root, '--format', 'json']);
    const runFields = (text: string) => text.replace(/\n {2}"run": \{[^]*?\n {2}\},/, '');
    expect(a.stdout).toMatch(/^\{\n {2}"run": \{\n {4}"id": /);
    expect(runFields(a.stdout)).toBe(runFields(b.stdout));
    expect(a.stdout).not.toBe(runFields(a.stdout));
  });
});

describe('a policy that throws', () => {
  const boom = definePolicy({
    id: 'test/boom',
    title: 'Throws',
    severity: 'warning',
    appliesTo: ['**'],
    check() {
      throw new Error('kaput');
    },
  });

  it('is an internal error naming the policy, the other policies still report, and the run exits 2', async () => {
    const root = tree({ 'ssot/svc.yaml': 'port: x\n' });
    const { io: cli, out } = io(root);
    const code = await main(['check', '--format', 'json', '--only', 'files,ssot,test'], cli, [...policies, boom]);
    expect(code).toBe(2);
    const report = JSON.parse(out.join('')) as { findings: Array<{ policy: string; message: string; file: string }> };
    expect(report.findings.map((f) => `${f.policy} ${f.file}`)).toEqual(['test/boom policies/test/boom.ts', 'ssot/schema ssot/svc.yaml']);
    expect(report.findings[0]?.message).toMatch(/^internal error: policy test\/boom threw: kaput/);
  });
});

describe('gates list and explain', () => {
  it('lists every policy with severity, title and docs', () => {
    const r = gates(['list']);
    expect(r.code).toBe(0);
    for (const p of policies) expect(r.stdout).toContain(`${p.severity.padEnd(7)}  ${p.title}  (${p.docs})`);
    expect(r.stdout.trim().split('\n')).toHaveLength(policies.length);
  });

  it('explains a policy with its docs page', () => {
    const r = gates(['explain', 'ssot/schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ssot/schema (error): SSOT files pass their JSON Schema');
    expect(r.stdout).toContain('## How to fix');
  });

  it('refuses an unknown policy with a suggestion', () => {
    const r = gates(['explain', 'ssot/schemaa']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean `ssot/schema`?');
  });
});
