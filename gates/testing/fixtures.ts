import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '../core/finding.ts';
import type { Policy } from '../core/policy.ts';
import type { GateOptions } from '../core/repo.ts';
import { runGates } from '../core/run.ts';
import { ENGINE_DIR } from '../core/artifacts.ts';
import { findingText } from '../reporters/util.ts';

/**
 * The fixtures of a policy `area/name` live in `policies/area/__fixtures__/name/`:
 * - `valid/`: a tiny repository on which the policy reports nothing;
 * - `invalid/<case>/`: one tiny repository per case, named for what it shows (kebab-case), and
 *   `invalid/<case>.expected` beside it: exactly the findings of that case, one per line, in the
 *   form of {@link formatFinding};
 * - `options.json` (optional): extra gate options for every tree, e.g. `{ "appDir": "console" }`;
 *   `invalid/<case>.options.json` overrides it for one case.
 */
export function fixtureDir(policyId: string): string {
  const [area, name] = policyId.split('/');
  return path.join(ENGINE_DIR, 'policies', area ?? '', '__fixtures__', name ?? '');
}

export interface FixtureCase {
  /** The case's name: its folder under `invalid/`. */
  name: string;
  /** The tree the policy runs on. */
  dir: string;
  /** The file holding the expected lines. */
  expectedFile: string;
  options: Partial<Omit<GateOptions, 'root'>>;
}

/** The invalid cases of a policy, sorted by name. */
export function invalidCases(policyId: string): FixtureCase[] {
  const dir = fixtureDir(policyId);
  const invalid = path.join(dir, 'invalid');
  const base = fixtureOptions(policyId);
  if (!fs.existsSync(invalid)) return [];
  return fs
    .readdirSync(invalid, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const own = path.join(invalid, `${name}.options.json`);
      return {
        name,
        dir: path.join(invalid, name),
        expectedFile: path.join(invalid, `${name}.expected`),
        options: fs.existsSync(own) ? { ...base, ...readOptions(own) } : base,
      };
    });
}

/**
 * One expected line: `file:line:col-endLine:endCol severity messageId {data}` for a finding made
 * from a policy message (the data as JSON, left out when empty), else
 * `file:line:col-endLine:endCol severity "literal message"`.
 */
export function formatFinding(f: Finding): string {
  const at = `${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.severity}`;
  if (f.messageId === undefined) return `${at} ${JSON.stringify(f.message)}`;
  const data = f.data && Object.keys(f.data).length > 0 ? ` ${JSON.stringify(f.data)}` : '';
  return `${at} ${f.messageId}${data}`;
}

/** A finding as a reader sees it, `file:line:col severity text [policy]`: for tests of the wording. */
export function formatFindingText(f: Finding): string {
  return `${f.file}:${f.line}:${f.column} ${f.severity} ${findingText(f)} [${f.policy}]`;
}

export async function runPolicyOn(
  policy: Policy,
  root: string,
  options: Partial<Omit<GateOptions, 'root'>> = {},
): Promise<{ lines: string[]; caseLines: string[]; findings: Finding[]; internalErrors: number }> {
  const artifactsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-fixture-'));
  try {
    const result = await runGates({ root, artifactsDir, policies: [policy], ...options });
    return {
      /** The worded form, {@link formatFindingText}. */
      lines: result.findings.map(formatFindingText),
      /** The case form of expected files, {@link formatFinding}. */
      caseLines: result.findings.map(formatFinding),
      findings: result.findings,
      internalErrors: result.internalErrors,
    };
  } finally {
    fs.rmSync(artifactsDir, { recursive: true, force: true });
  }
}

export function fixtureOptions(policyId: string): Partial<Omit<GateOptions, 'root'>> {
  const file = path.join(fixtureDir(policyId), 'options.json');
  return fs.existsSync(file) ? readOptions(file) : {};
}

function readOptions(file: string): Partial<Omit<GateOptions, 'root'>> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Omit<GateOptions, 'root'>>;
}

/** The expected lines of a case (blank lines and `#` comments ignored). */
export function expectedLines(c: FixtureCase): string[] {
  return fs
    .readFileSync(c.expectedFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
}
