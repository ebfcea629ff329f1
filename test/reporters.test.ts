import { describe, expect, it } from 'vitest';
import type { Finding } from '../gates/core/finding.ts';
import type { DiffIndex } from '../gates/github/diff.ts';
import { escapeData, escapeProperty, github } from '../gates/reporters/github.ts';
import { junit, xmlEscape } from '../gates/reporters/junit.ts';
import { markdown, STEP_SUMMARY_MAX_BYTES } from '../gates/reporters/markdown.ts';
import { finding, policyRun, result } from './reporters-canned.ts';

const links = { serverUrl: 'https://github.com', repository: 'acme/ops', sha: 'abc123' };

// Messages and paths carrying every character that needs escaping somewhere.
const canned = () =>
  result(
    [
      finding({
        policy: 'mail/smtp-port',
        file: 'ssot/environments/stage.yaml',
        line: 12,
        column: 13,
        endColumn: 15,
        severity: 'warning',
        message: 'SMTP_PORT is 25 in stage; use 587 (STARTTLS) or 465 (TLS)',
      }),
      finding({
        policy: 'ssot/schema',
        file: 'ssot/odd, name: 100%.yaml',
        line: 3,
        column: 5,
        endColumn: 9,
        message: 'value 100% off,\r\nsee: line 2',
        fingerprint: 'a'.repeat(32),
      }),
      finding({
        policy: 'ssot/schema',
        file: 'ssot/x.yaml',
        line: 7,
        endLine: 9,
        column: 2,
        endColumn: 4,
        severity: 'notice',
        message: 'a | b <script>&',
        fingerprint: 'b'.repeat(32),
      }),
    ],
    [
      policyRun('mail/smtp-port', { severity: 'warning', durationMs: 0.4 }),
      policyRun('spec/tasks', { status: 'skipped', durationMs: 0 }),
      policyRun('ssot/schema', { durationMs: 12.25 }),
    ],
  );

describe('github workflow commands', () => {
  it('escapes data (%, CR, LF) and properties (also : and ,)', () => {
    expect(escapeData('50% done\r\nnext: a,b')).toBe('50%25 done%0D%0Anext: a,b');
    expect(escapeProperty('50% done\r\nnext: a,b')).toBe('50%25 done%0D%0Anext%3A a%2Cb');
  });

  it('prints errors first, columns only on single lines (end inclusive), exact bytes', () => {
    expect(github(canned(), { color: false })).toBe(
      [
        '::error file=ssot/odd%2C name%3A 100%25.yaml,line=3,endLine=3,col=5,endColumn=8,title=ssot/schema::value 100%25 off,%0D%0Asee: line 2',
        '::warning file=ssot/environments/stage.yaml,line=12,endLine=12,col=13,endColumn=14,title=mail/smtp-port::SMTP_PORT is 25 in stage; use 587 (STARTTLS) or 465 (TLS)',
        '::notice file=ssot/x.yaml,line=7,endLine=9,title=ssot/schema::a | b <script>&',
        '',
      ].join('\n'),
    );
  });

  it('shows at most 10 per level, changed lines first, and says how many more and where', () => {
    const fs: Finding[] = [];
    for (let i = 1; i <= 13; i++) fs.push(finding({ policy: 'a/b', file: 'e.yaml', line: i, message: `e${i}` }));
    for (let i = 1; i <= 12; i++) fs.push(finding({ policy: 'a/b', file: 'w.yaml', line: i, message: `w${i}`, severity: 'warning' }));
    for (let i = 1; i <= 10; i++) fs.push(finding({ policy: 'a/b', file: 'n.yaml', line: i, message: `n${i}`, severity: 'notice' }));
    // Lines 12 and 13 of e.yaml were added by the pull request: they outrank older lines.
    const diff: DiffIndex = new Map([['e.yaml', { status: 'M', path: 'e.yaml', added: new Set([12, 13]), context: new Set([9, 10, 11]) }]]);
    const out = github(result(fs, [policyRun('a/b')]), { color: false, diff, fullReport: 'the job summary' }).split('\n');
    const msgs = out.map((l) => l.replace(/^::(\w+) .*::(.*)$/, '$1 $2'));
    expect(msgs).toEqual([
      'error e12',
      'error e13',
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => `error e${i}`),
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `warning w${i}`),
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `notice n${i}`),
      'notice 3 more errors, 2 more warnings, 1 more notice not shown as annotations (GitHub shows 10 per level and step); read every finding in the job summary',
      '',
    ]);
    expect(out.at(-2)).toMatch(/^::notice title=OdooOps Gates::/);
  });

  it('prints nothing for a clean result', () => {
    expect(github(result([], [policyRun('a/b')]), { color: false })).toBe('');
  });
});

describe('junit', () => {
  it('has one test case per policy; failures carry the findings; skipped and passing cases too', () => {
    expect(junit(canned(), { color: false })).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="OdooOps Gates" tests="3" failures="1" errors="0" skipped="1" time="0.042">
  <testsuite name="OdooOps Gates" tests="3" failures="1" errors="0" skipped="1" time="0.042">
    <testcase classname="mail" name="mail/smtp-port" time="0.000">
      <system-out>ssot/environments/stage.yaml:12:13 warning SMTP_PORT is 25 in stage; use 587 (STARTTLS) or 465 (TLS)</system-out>
    </testcase>
    <testcase classname="spec" name="spec/tasks" time="0.000">
      <skipped message="not affected by the change"/>
    </testcase>
    <testcase classname="ssot" name="ssot/schema" time="0.012">
      <failure message="Title of ssot/schema: 1 error, 0 warnings, 1 notice" type="error">ssot/odd, name: 100%.yaml:3:5 error value 100% off,&#13;
see: line 2
ssot/x.yaml:7:2 notice a | b &lt;script&gt;&amp;</failure>
    </testcase>
  </testsuite>
</testsuites>
`);
  });

  it('reports a crashed policy as an error and a clean one as a bare test case', () => {
    const crash = finding({ policy: 'x/crash', file: 'policies/x/crash.ts', line: 1, message: 'internal error: policy x/crash threw: boom' });
    const out = junit(result([crash], [policyRun('x/clean'), policyRun('x/crash', { status: 'crashed' })], 1), { color: false });
    expect(out).toContain('    <testcase classname="x" name="x/clean" time="0.002"/>\n');
    expect(out).toContain(
      '<error message="policy x/crash crashed" type="internal-error">policies/x/crash.ts:1:1 error internal error: policy x/crash threw: boom</error>',
    );
    expect(out).toContain('<testsuites name="OdooOps Gates" tests="2" failures="0" errors="1" skipped="0" time="0.042">');
  });

  it('escapes XML and replaces characters XML cannot carry', () => {
    expect(xmlEscape(`a&b<c>"d'\u0001\uD800e`)).toBe('a&amp;b&lt;c&gt;&quot;d&apos;\uFFFD\uFFFDe');
  });
});

describe('markdown job summary', () => {
  it('gives totals, a table per policy and links to the lines', () => {
    expect(markdown(canned(), { color: false, links })).toBe(`## OdooOps Gates: ✖ failed

1 error, 1 warning, 1 notice — 2 of 3 policies ran (1 not affected by the change).

| policy | errors | warnings | notices |
| --- | ---: | ---: | ---: |
| [\`mail/smtp-port\`](#mailsmtp-port) | 0 | 1 | 0 |
| [\`ssot/schema\`](#ssotschema) | 1 | 0 | 1 |

### \`mail/smtp-port\`

Title of mail/smtp-port — [docs/policies/mail/smtp-port.md](https://github.com/acme/ops/blob/abc123/docs/policies/mail/smtp-port.md)

| severity | location | message |
| --- | --- | --- |
| warning | [ssot/environments/stage.yaml:12:13](https://github.com/acme/ops/blob/abc123/ssot/environments/stage.yaml#L12) | SMTP_PORT is 25 in stage; use 587 (STARTTLS) or 465 (TLS) |

### \`ssot/schema\`

Title of ssot/schema — [docs/policies/ssot/schema.md](https://github.com/acme/ops/blob/abc123/docs/policies/ssot/schema.md)

| severity | location | message |
| --- | --- | --- |
| error | [ssot/odd, name: 100%.yaml:3:5](https://github.com/acme/ops/blob/abc123/ssot/odd%2C%20name%3A%20100%25.yaml#L3) | value 100% off,<br>see: line 2 |
| notice | [ssot/x.yaml:7:2](https://github.com/acme/ops/blob/abc123/ssot/x.yaml#L7-L9) | a \\| b &lt;script&gt;&amp; |
`);
  });

  it('without a repository, names places as code instead of links', () => {
    const out = markdown(canned(), { color: false });
    expect(out).toContain('| warning | `ssot/environments/stage.yaml:12:13` | SMTP_PORT');
    expect(out).toContain('Title of ssot/schema — `docs/policies/ssot/schema.md`');
  });

  it('says so when clean', () => {
    expect(markdown(result([], [policyRun('a/b')]), { color: false })).toBe(
      '## OdooOps Gates: ✔ passed\n\n0 errors, 0 warnings, 0 notices — 1 of 1 policies ran.\n',
    );
  });

  it('stays under the cap with an explicit truncation note', () => {
    const fs = Array.from({ length: 100 }, (_, i) => finding({ policy: 'a/b', file: 'f.yaml', line: i + 1, message: `message ${i} ${'x'.repeat(100)}` }));
    const out = markdown(result(fs, [policyRun('a/b')]), { color: false, maxBytes: 4000, fullReport: 'artifacts/gate-report.json' });
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(4000);
    const rows = out.split('\n').filter((l) => l.startsWith('| error |'));
    expect(
      out.endsWith(
        `\n> [!WARNING]\n> Truncated: ${100 - rows.length} more findings not shown here (this summary is capped at 4000 bytes). Read every finding in artifacts/gate-report.json.\n`,
      ),
    ).toBe(true);
    expect(rows.length).toBeGreaterThan(10);
  });

  it("keeps 30,000 findings under GitHub's 1 MiB step-summary limit", () => {
    const fs = Array.from({ length: 30_000 }, (_, i) => finding({ policy: 'a/b', file: `ssot/é${i}.yaml`, line: i + 1, message: `ünïcode ${'m'.repeat(60)}` }));
    const out = markdown(result(fs, [policyRun('a/b')]), { color: false, links });
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(STEP_SUMMARY_MAX_BYTES);
    expect(out).toMatch(/Truncated: \d+ more findings not shown here \(this summary is capped at 1048576 bytes\)/);
  });
});
