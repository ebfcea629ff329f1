import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import actionlint from '../policies/workflows/actionlint.ts';

const root = path.resolve(import.meta.dirname, '..');
const file = path.join(root, '.github/workflows/gates.yml');

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { services?: Record<string, { image: string; ports: string[] }>; env?: Record<string, string>; steps: Step[] }>;
}

const wf = parse(fs.readFileSync(file, 'utf8')) as Workflow;
const job = wf.jobs.gates;
const steps = job?.steps ?? [];
const step = (pred: (s: Step) => boolean) => steps.find(pred);

describe('.github/workflows/gates.yml', () => {
  it('passes actionlint (the workflows/actionlint policy on this repository)', async () => {
    const { lines, internalErrors } = await runPolicyOn(actionlint, root);
    expect(internalErrors).toBe(0);
    expect(lines).toEqual([]);
  });

  it('runs on pull requests with least permissions', () => {
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(wf.permissions).toEqual({ contents: 'read', checks: 'write', 'pull-requests': 'read', 'security-events': 'write' });
  });

  it('checks out full history, sets up Node with the npm cache, installs with npm ci', () => {
    expect(step((s) => s.uses?.startsWith('actions/checkout@') === true)?.with).toEqual({ 'fetch-depth': 0 });
    expect(step((s) => s.uses?.startsWith('actions/setup-node@') === true)?.with).toEqual({ 'node-version': 24, cache: 'npm' });
    expect(steps.some((s) => s.run?.startsWith('npm ci') === true)).toBe(true);
  });

  it("has Supabase's Postgres image of the target major behind DATABASE_URL", () => {
    const platform = fs.readFileSync(path.join(root, 'ssot/platform.yaml'), 'utf8');
    const major = /postgres_major:\s*(\d+)/.exec(platform)?.[1];
    expect(job?.services?.postgres?.image).toMatch(new RegExp(`^supabase/postgres:${major ?? '(no postgres_major)'}\\.\\d+\\.\\d+\\.\\d+$`));
    expect(job?.services?.postgres?.ports).toEqual(['5432:5432']);
    expect(job?.env?.DATABASE_URL).toBe('postgres://postgres:postgres@127.0.0.1:5432/postgres');
  });

  it('runs the gates with the check run, pull-request mode and every report format', () => {
    const gates = step((s) => s.run?.includes('gates/cli.ts check') === true);
    for (const arg of [
      '--changed',
      '--github-check',
      '--format sarif:reports/gates.sarif',
      '--format junit:reports/junit.xml',
      '--format markdown:reports/summary.md',
    ]) {
      expect(gates?.run).toContain(arg);
    }
    expect(gates?.env).toEqual({ GITHUB_TOKEN: '${{ github.token }}' });
  });

  it('uploads the SARIF and the reports even when the gate fails', () => {
    const sarif = step((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@') === true);
    expect(sarif?.with?.sarif_file).toBe('reports/gates.sarif');
    expect(sarif?.if).toMatch(/^\$\{\{ always\(\) && /);
    const upload = step((s) => s.uses?.startsWith('actions/upload-artifact@') === true);
    expect(upload?.if).toBe('${{ always() }}');
    expect(String(upload?.with?.path)).toContain('reports/');
    expect(String(upload?.with?.path)).toContain('artifacts/gate-report.json');
  });
});
