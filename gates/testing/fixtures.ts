import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '../core/finding.ts';
import type { Policy } from '../core/policy.ts';
import type { GateOptions } from '../core/repo.ts';
import { runGates } from '../core/run.ts';
import { ENGINE_DIR } from '../core/artifacts.ts';

/**
 * The fixtures of a policy `area/name` live in `policies/area/__fixtures__/name/`:
 * - `valid/`: a tiny repository on which the policy reports nothing;
 * - `invalid/`: one on which it reports exactly the lines of `invalid.expected`;
 * - `options.json` (optional): extra gate options, e.g. `{ "appDir": "console" }`.
 */
export function fixtureDir(policyId: string): string {
  const [area, name] = policyId.split('/');
  return path.join(ENGINE_DIR, 'policies', area ?? '', '__fixtures__', name ?? '');
}

/** `file:line:col severity message [policy]`, the line form of expected files. */
export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column} ${f.severity} ${f.message} [${f.policy}]`;
}

export async function runPolicyOn(
  policy: Policy,
  root: string,
  options: Partial<Omit<GateOptions, 'root'>> = {},
): Promise<{ lines: string[]; findings: Finding[]; internalErrors: number }> {
  const artifactsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-fixture-'));
  try {
    const result = await runGates({ root, artifactsDir, policies: [policy], ...options });
    return { lines: result.findings.map(formatFinding), findings: result.findings, internalErrors: result.internalErrors };
  } finally {
    fs.rmSync(artifactsDir, { recursive: true, force: true });
  }
}

export function fixtureOptions(policyId: string): Partial<Omit<GateOptions, 'root'>> {
  const file = path.join(fixtureDir(policyId), 'options.json');
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Omit<GateOptions, 'root'>>;
}

/** The expected lines of the invalid tree (blank lines and `#` comments ignored). */
export function expectedLines(policyId: string): string[] {
  const file = path.join(fixtureDir(policyId), 'invalid.expected');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
}
