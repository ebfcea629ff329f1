import type { Finding } from '../core/finding.ts';
import { suppressedBy } from './stylish.ts';
import type { Reporter } from './types.ts';
import { findingText, groupBy, plural } from './util.ts';

/** Escapes XML text and attribute values; characters XML 1.0 cannot carry become U+FFFD. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const line = (f: Finding) => `${f.file}:${f.line}:${f.column} ${f.severity} ${findingText(f)}${f.suppressed ? ` (${suppressedBy(f.suppressed)})` : ''}`;

/**
 * JUnit XML: one test case per policy. A policy with error-level findings fails and its failure
 * carries all its findings; a crashed policy is an error; a policy skipped in pull-request mode
 * is skipped with its reason (not affected by the change, or it could not run); warnings and notices alone pass and are listed in `system-out`.
 */
export const junit: Reporter = (result) => {
  const byPolicy = groupBy(result.findings, (f) => f.policy);
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const cases: string[] = [];
  for (const p of result.policies) {
    const fs = byPolicy.get(p.id) ?? [];
    const area = p.id.split('/')[0] ?? p.id;
    const open = `    <testcase classname="${xmlEscape(area)}" name="${xmlEscape(p.id)}" time="${seconds(p.durationMs)}"`;
    const body = xmlEscape(fs.map(line).join('\n'));
    // A suppressed finding is listed but never fails its test case.
    const e = fs.filter((f) => f.severity === 'error' && !f.suppressed).length;
    const w = fs.filter((f) => f.severity === 'warning').length;
    const n = fs.length - e - w;
    const tally = `${plural(e, 'error')}, ${plural(w, 'warning')}, ${plural(n, 'notice')}`;
    if (p.status === 'skipped') {
      skipped++;
      cases.push(`${open}>\n      <skipped message="${xmlEscape(p.reason ?? 'not affected by the change')}"/>\n    </testcase>`);
    } else if (p.status === 'crashed') {
      errors++;
      cases.push(`${open}>\n      <error message="${xmlEscape(`policy ${p.id} crashed`)}" type="internal-error">${body}</error>\n    </testcase>`);
    } else if (e > 0) {
      failures++;
      cases.push(`${open}>\n      <failure message="${xmlEscape(`${p.title}: ${tally}`)}" type="error">${body}</failure>\n    </testcase>`);
    } else if (fs.length > 0) {
      cases.push(`${open}>\n      <system-out>${body}</system-out>\n    </testcase>`);
    } else cases.push(`${open}/>`);
  }
  const attrs = `tests="${result.policies.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(result.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="OdooOps Gates" ${attrs}>`,
    `  <testsuite name="OdooOps Gates" ${attrs}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
};
