import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeArtifact } from '../gates/core/artifacts.ts';
import { exitCode, runGates, type GateResult } from '../gates/core/run.ts';
import { toJsonReport } from '../gates/reporters/json.ts';
import { junit } from '../gates/reporters/junit.ts';
import { markdown } from '../gates/reporters/markdown.ts';
import { github } from '../gates/reporters/github.ts';
import { sarif } from '../gates/reporters/sarif.ts';
import { stylish } from '../gates/reporters/stylish.ts';
import { policies } from '../policies/index.ts';
import { SVC_SCHEMA } from './helpers/svc-schema.ts';
import { useTrees } from './helpers/tree.ts';

const newTree = useTrees();
const TODAY = '2026-11-29';
const schema = SVC_SCHEMA;
const ENGINE = path.resolve(import.meta.dirname, '..');
const base = {
  'schemas/ssot/svc.schema.json': schema,
  'schemas/ssot/waivers.schema.json': fs.readFileSync(path.join(ENGINE, 'schemas/ssot/waivers.schema.json'), 'utf8'),
  'schemas/map.yaml':
    '- files: ssot/svc*.yaml\n  schema: schemas/ssot/svc.schema.json\n- files: ssot/waivers.yaml\n  schema: schemas/ssot/waivers.schema.json\n',
};
const ids = ['files/yaml-wellformed', 'ssot/schema', 'secrets/no-values', 'migrations/syntax', 'migrations/lint', 'waivers/expired', 'waivers/unused'];
const selected = policies.filter((p) => ids.includes(p.id));

function waivers(...entries: string[]): string {
  return `version: 1\nwaivers:\n${entries.join('')}`;
}
function waiver(policy: string, cover: string, expires: string): string {
  return `  - policy: ${policy}\n    ${cover}\n    reason: The old service file is rewritten in the next quarter.\n    owner: "@platform-team"\n    expires: ${expires}\n`;
}

async function run(files: Record<string, string>): Promise<GateResult> {
  const root = newTree({ ...base, ...files });
  return runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies: selected, policyIds: policies.map((p) => p.id), today: TODAY });
}

const lines = (r: GateResult) =>
  r.findings.map(
    (f) =>
      `${f.file}:${f.line} ${f.policy} ${f.severity}${f.suppressed ? ` suppressed(${f.suppressed.kind} ${f.suppressed.file}:${f.suppressed.line ?? ''})` : ''}`,
  );

/** The official SARIF validator's errors (SARIF schema rules and GitHub's ingestion rules). */
function sarifErrors(text: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-waiver-sarif-'));
  try {
    const input = path.join(dir, 'in.sarif');
    const output = path.join(dir, 'out.sarif');
    fs.writeFileSync(input, text);
    const tool = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;
    try {
      execFileSync(tool, ['validate', input, '--output', output, '--log', 'ForceOverwrite', '--rule-kind', 'Sarif;Gh'], { stdio: 'pipe', timeout: 120_000 });
    } catch {
      // Non-zero when it finds errors; they are in the output log.
    }
    const log = JSON.parse(fs.readFileSync(output, 'utf8').replace(/^\uFEFF/, '')) as {
      runs: Array<{ results?: Array<{ level?: string; ruleId: string; message: { text?: string } }> }>;
    };
    return (log.runs[0]?.results ?? []).filter((r) => (r.level ?? 'warning') === 'error').map((r) => `${r.ruleId}: ${r.message.text ?? ''}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('waivers as data', () => {
  it('suppresses a waived finding in every report and exits 0', async () => {
    const r = await run({
      'ssot/svc.yaml': 'name: mail\nport: twenty-five\n',
      'ssot/waivers.yaml': waivers(waiver('ssot/schema', 'files: ssot/svc.yaml', '2027-01-15')),
    });
    expect(lines(r)).toEqual(['ssot/svc.yaml:2 ssot/schema error suppressed(waiver ssot/waivers.yaml:3)']);
    expect(r.summary).toEqual({ errors: 0, warnings: 0, notices: 0, suppressed: 1 });
    expect(exitCode(r)).toBe(0);

    const json = toJsonReport(r) as { findings: Array<{ suppressed?: unknown }> };
    expect(json.findings[0]?.suppressed).toEqual({
      kind: 'waiver',
      justification: 'The old service file is rewritten in the next quarter.',
      file: 'ssot/waivers.yaml',
      line: 3,
      owner: '@platform-team',
      expires: '2027-01-15',
    });
    // The report still meets its published contract.
    writeArtifact(path.join(r.root, 'artifacts'), 'gate-report', json);

    const log = JSON.parse(sarif(r, { color: false })) as { runs: Array<{ results: Array<{ suppressions?: unknown }> }> };
    expect(log.runs[0]?.results[0]?.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'The old service file is rewritten in the next quarter. (owner @platform-team, until 2027-01-15)',
        location: { physicalLocation: { artifactLocation: { uri: 'ssot/waivers.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 3 } } },
      },
    ]);
    expect(sarifErrors(sarif(r, { color: false }))).toEqual([]);

    expect(stylish(r, { color: false })).toContain('suppressed by waiver ssot/waivers.yaml:3 (@platform-team, until 2027-01-15): The old service file');
    expect(stylish(r, { color: false })).toMatch(/✔ no problems \(\d+ policies ran, 1 suppressed\)/);
    expect(markdown(r, { color: false })).toContain('| error (suppressed) |');
    expect(junit(r, { color: false })).not.toContain('<failure');
    expect(github(r, { color: false })).toBe(
      '::notice title=OdooOps Gates::1 finding is suppressed by waivers, gates-allow comments or the baseline and do not fail the run; read them in the gate report (artifacts/gate-report.json)\n',
    );
  }, 120_000);

  it('waives by fingerprint exactly one finding', async () => {
    const files = { 'ssot/svc.yaml': 'name: 7\nport: twenty-five\n' };
    const first = await run(files);
    const fp = first.findings.find((f) => f.line === 2)?.fingerprint ?? '';
    const r = await run({ ...files, 'ssot/waivers.yaml': waivers(waiver('ssot/schema', `fingerprint: ${fp}`, '2027-01-15')) });
    expect(lines(r)).toEqual(['ssot/svc.yaml:1 ssot/schema error', 'ssot/svc.yaml:2 ssot/schema error suppressed(waiver ssot/waivers.yaml:3)']);
    expect(exitCode(r)).toBe(1);
  });

  it('reports an expired waiver as an error at its line, and the finding counts again', async () => {
    const r = await run({
      'ssot/svc.yaml': 'name: mail\nport: twenty-five\n',
      'ssot/waivers.yaml': waivers(waiver('ssot/schema', 'files: ssot/svc.yaml', '2026-11-28')),
    });
    expect(lines(r)).toEqual(['ssot/svc.yaml:2 ssot/schema error', 'ssot/waivers.yaml:7 waivers/expired error']);
    expect(r.findings[1]?.message).toMatch(/^the waiver of ssot\/schema owned by @platform-team expired on 2026-11-28;/);
    expect(exitCode(r)).toBe(1);
  });

  it('reports a waiver that matched nothing as a warning at its line', async () => {
    const r = await run({
      'ssot/svc.yaml': 'name: mail\nport: 25\n',
      'ssot/waivers.yaml': waivers(waiver('ssot/schema', 'files: ssot/svc.yaml', '2027-01-15')),
    });
    expect(lines(r)).toEqual(['ssot/waivers.yaml:3 waivers/unused warning']);
    expect(r.findings[0]?.message).toBe('this waiver of ssot/schema matched no finding; the finding is gone — remove the waiver');
    expect(exitCode(r)).toBe(0);
  });

  it('does not call a waiver unused when its policy did not run', async () => {
    const root = newTree({ ...base, 'ssot/svc.yaml': 'port: 25\n', 'ssot/waivers.yaml': waivers(waiver('ssot/schema', 'files: ssot/svc.yaml', '2027-01-15')) });
    const r = await runGates({
      root,
      artifactsDir: path.join(root, 'artifacts'),
      policies: selected.filter((p) => p.id !== 'ssot/schema'),
      policyIds: policies.map((p) => p.id),
      today: TODAY,
    });
    expect(lines(r)).toEqual([]);
  });
});

describe('inline gates-allow', () => {
  it('YAML `#` form on the line above suppresses the finding; an unused one is a warning', async () => {
    const r = await run({
      'ssot/svc.yaml': 'name: mail\n# gates-allow ssot/schema: the relay port is written out until the move\nport: twenty-five\n',
      'ssot/svc-b.yaml': '# gates-allow ssot/schema: stale comment above a valid value\nport: 587\n',
    });
    expect(lines(r)).toEqual(['ssot/svc-b.yaml:1 waivers/unused warning', 'ssot/svc.yaml:3 ssot/schema error suppressed(inline ssot/svc.yaml:2)']);
    expect(r.findings[1]?.suppressed?.justification).toBe('the relay port is written out until the move');
    expect(exitCode(r)).toBe(0);
  });

  it('SQL `--` form suppresses, and `-- lint-allow` of migrations/lint keeps working beside it', async () => {
    const r = await run({
      'migrations/20260101000000_a.sql': [
        '-- lint-allow drop-column: the phone column moved to ops.contacts in the previous release',
        'alter table auth.users drop column phone;',
        '',
        '-- gates-allow migrations/lint: the email column is read by nobody since release 12',
        'alter table auth.users drop column email;',
        '',
      ].join('\n'),
    });
    expect(lines(r)).toEqual([
      'migrations/20260101000000_a.sql:2 migrations/lint notice',
      'migrations/20260101000000_a.sql:5 migrations/lint error suppressed(inline migrations/20260101000000_a.sql:4)',
    ]);
    expect(r.findings[0]?.message).toBe('drop-column justified: "the phone column moved to ops.contacts in the previous release"');
    expect(exitCode(r)).toBe(0);
  });

  it('Markdown reads only its HTML-comment form', async () => {
    // gates-allow secrets/no-values: a made-up token the inline-allow tests need in a Markdown file
    const token = 'ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A';
    const r = await run({
      'docs/a.md': `# A\n\n<!-- gates-allow secrets/no-values: a revoked token kept as the incident's evidence -->\nThe token was ${token}.\n`,
      'docs/b.md': `# B\n\n# gates-allow secrets/no-values: not a Markdown comment, so not an allow\nThe token was ${token}.\n`,
    });
    expect(lines(r)).toEqual(['docs/a.md:4 secrets/no-values error suppressed(inline docs/a.md:3)', 'docs/b.md:4 secrets/no-values error']);
  });
});

describe('the comment form of each file kind', () => {
  it('reads `--` in SQL, `#` in YAML and shell, `//` in TS/JS, `<!-- -->` in Markdown, and nothing else', async () => {
    const { parseAllow } = await import('../gates/core/waivers.ts');
    const allow = (file: string, line: string) => parseAllow(file, line, 7);
    expect(allow('migrations/x.sql', '  -- gates-allow migrations/lint: the column is unread since release 12')).toEqual({
      file: 'migrations/x.sql',
      line: 7,
      policy: 'migrations/lint',
      reason: 'the column is unread since release 12',
    });
    expect(allow('ssot/a.yml', '# gates-allow ssot/schema: legacy value')?.policy).toBe('ssot/schema');
    expect(allow('scripts/x.sh', '# gates-allow secrets/no-values: a revoked example token')?.reason).toBe('a revoked example token');
    expect(allow('app/page.tsx', '  // gates-allow routes/nav-coverage: the page ships next sprint')?.policy).toBe('routes/nav-coverage');
    expect(allow('docs/a.md', '<!-- gates-allow docs/links: the page moves with the next release -->')?.reason).toBe('the page moves with the next release');
    // Another kind's form, no reason, a lint-allow, or not a policy id: not an allow.
    expect(allow('docs/a.md', '# gates-allow docs/links: heading, not a comment')).toBeUndefined();
    expect(allow('ssot/a.yaml', '-- gates-allow ssot/schema: SQL form in YAML')).toBeUndefined();
    expect(allow('ssot/a.yaml', '# gates-allow ssot/schema:')).toBeUndefined();
    expect(allow('migrations/x.sql', '-- lint-allow drop-column: the phone column moved')).toBeUndefined();
    expect(allow('ssot/a.yaml', '# gates-allow schema: no area')).toBeUndefined();
    expect(allow('image.png', '# gates-allow ssot/schema: no comment form')).toBeUndefined();
  });
});
