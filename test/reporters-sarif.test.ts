import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { definePolicy } from '../gates/core/policy.ts';
import { runGates } from '../gates/core/run.ts';
import { FINGERPRINT_KEY, sarif } from '../gates/reporters/sarif.ts';
import { finding, policyRun, result } from './reporters-canned.ts';

const links = { serverUrl: 'https://github.com', repository: 'acme/ops', sha: 'abc123' };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-sarif-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const canned = () =>
  result(
    [
      finding({ policy: 'ssot/schema', file: 'ssot/odd name%.yaml', line: 3, column: 5, endColumn: 9, message: 'bad value', fingerprint: 'a'.repeat(32) }),
      finding({
        policy: 'mail/smtp-port',
        file: 'ssot/environments/stage.yaml',
        line: 12,
        endLine: 14,
        column: 13,
        endColumn: 2,
        severity: 'notice',
        message: 'SMTP_PORT is 25',
      }),
    ],
    [
      policyRun('mail/smtp-port', { severity: 'warning', title: 'SMTP port is allowed' }),
      policyRun('ssot/schema', { title: 'SSOT files match their schemas' }),
    ],
  );

type Log = {
  runs: Array<{
    results: Array<{
      level?: string;
      ruleId: string;
      message: { text?: string; id?: string };
      locations?: Array<{ physicalLocation: { region: { startLine: number } } }>;
    }>;
  }>;
};

/** Runs the official validator (SARIF schema rules and GitHub ingestion rules) and returns its findings. */
function validate(name: string, text: string): Array<{ level: string; ruleId: string; text: string }> {
  const input = path.join(tmp, `${name}.sarif`);
  const output = path.join(tmp, `${name}.validation.sarif`);
  fs.writeFileSync(input, text);
  const tool = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;
  try {
    execFileSync(tool, ['validate', input, '--output', output, '--log', 'ForceOverwrite', '--rule-kind', 'Sarif;Gh'], { stdio: 'pipe', timeout: 120_000 });
  } catch {
    // It exits non-zero when it finds errors; the findings are in the output log.
  }
  const log = JSON.parse(fs.readFileSync(output, 'utf8').replace(/^\uFEFF/, '')) as Log;
  return (log.runs[0]?.results ?? []).map((r) => ({ level: r.level ?? 'warning', ruleId: r.ruleId, text: r.message.text ?? r.message.id ?? '' }));
}

describe('sarif', () => {
  it('has one rule per policy with a help link, repo-relative URIs, regions and partial fingerprints', () => {
    const log = JSON.parse(sarif(canned(), { color: false, links }));
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.rules).toEqual([
      {
        id: 'mail/smtp-port',
        name: 'MailSmtpPort',
        shortDescription: { text: 'SMTP port is allowed' },
        fullDescription: { text: 'SMTP port is allowed. Why it matters, a bad and a good example, and how to fix: docs/policies/mail/smtp-port.md.' },
        helpUri: 'https://github.com/acme/ops/blob/abc123/docs/policies/mail/smtp-port.md',
        help: {
          text: 'SMTP port is allowed. Read docs/policies/mail/smtp-port.md for why it matters, examples and how to fix it.',
          markdown:
            '**SMTP port is allowed**. Read [docs/policies/mail/smtp-port.md](https://github.com/acme/ops/blob/abc123/docs/policies/mail/smtp-port.md) for why it matters, examples and how to fix it.',
        },
        defaultConfiguration: { level: 'warning' },
        properties: { tags: ['odooops-gates', 'mail'] },
      },
      expect.objectContaining({
        id: 'ssot/schema',
        helpUri: 'https://github.com/acme/ops/blob/abc123/docs/policies/ssot/schema.md',
        defaultConfiguration: { level: 'error' },
      }),
    ]);
    expect(run.columnKind).toBe('unicodeCodePoints');
    expect(run.versionControlProvenance).toEqual([
      { repositoryUri: 'https://github.com/acme/ops', revisionId: 'abc123', mappedTo: { uriBaseId: '%SRCROOT%' } },
    ]);
    expect(run.results).toEqual([
      {
        ruleId: 'ssot/schema',
        ruleIndex: 1,
        level: 'error',
        message: { text: 'bad value' },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'ssot/odd%20name%25.yaml', uriBaseId: '%SRCROOT%' },
              region: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 9 },
            },
          },
        ],
        partialFingerprints: { [FINGERPRINT_KEY]: 'a'.repeat(32) },
      },
      {
        ruleId: 'mail/smtp-port',
        ruleIndex: 0,
        level: 'note',
        message: { text: 'SMTP_PORT is 25' },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'ssot/environments/stage.yaml', uriBaseId: '%SRCROOT%' },
              region: { startLine: 12, startColumn: 13, endLine: 14, endColumn: 2 },
            },
          },
        ],
        partialFingerprints: { [FINGERPRINT_KEY]: 'f'.repeat(32) },
      },
    ]);
  });

  it('passes the official validator, with the GitHub ingestion rules', () => {
    expect(validate('links', sarif(canned(), { color: false, links }))).toEqual([]);
    // Outside GitHub the tool has no information URI to name; that is the only remark.
    expect(validate('local', sarif(canned(), { color: false }))).toEqual([{ level: 'warning', ruleId: 'SARIF2005', text: 'Warning_ProvideToolnformationUri' }]);
  }, 120_000);

  it('the validator does catch a broken log (the check above can fail)', () => {
    const broken = JSON.parse(sarif(canned(), { color: false, links }));
    delete broken.runs[0].results[0].locations;
    broken.runs[0].results[1].locations[0].physicalLocation.artifactLocation.uri = 'file:///abs/x.yaml';
    const found = validate('broken', JSON.stringify(broken)).filter((r) => r.level === 'error');
    expect(found.map((r) => r.ruleId)).toEqual(expect.arrayContaining(['GH1015', 'SARIF1004']));
  }, 120_000);

  it("keeps a finding's fingerprint when unrelated lines move", async () => {
    const policy = definePolicy({
      id: 'test/port',
      title: 'Port is not 25',
      severity: 'error',
      appliesTo: ['**/*.yaml'],
      check: (ctx) =>
        (ctx.data('env.yaml') as { mail?: { port?: number } })?.mail?.port === 25
          ? [{ file: 'env.yaml', pointer: '/mail/port', message: 'port 25 is blocked' }]
          : [],
    });
    const at = async (text: string) => {
      const root = fs.mkdtempSync(path.join(tmp, 'repo-'));
      fs.writeFileSync(path.join(root, 'env.yaml'), text);
      const log = JSON.parse(sarif(await runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies: [policy] }), { color: false })) as Log & {
        runs: Array<{ results: Array<{ partialFingerprints: Record<string, string> }> }>;
      };
      const r = log.runs[0]?.results[0];
      return { line: r?.locations?.[0]?.physicalLocation.region.startLine, fp: r?.partialFingerprints[FINGERPRINT_KEY] };
    };
    const before = await at('name: stage\nmail:\n  port: 25\n');
    const after = await at('# a comment\nname: stage\nworkers: 1\nmail:\n  host: smtp.mailgun.org\n  port: 25\n');
    expect(before.line).toBe(3);
    expect(after.line).toBe(6);
    expect(after.fp).toBe(before.fp);
    expect(before.fp).toMatch(/^[0-9a-f]{32}$/);
  });
});
