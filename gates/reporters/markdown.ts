import type { Finding } from '../core/finding.ts';
import { blobUrl, lineUrl } from './links.ts';
import { couldNotRun } from '../core/run.ts';
import { findingText, groupBy, plural } from './util.ts';
import { suppressedBy } from './stylish.ts';
import type { Reporter } from './types.ts';

/** GitHub's cap on one step's summary. */
export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024;

/** Makes text safe inside a Markdown table cell: no HTML, no cell breaks, one line. */
export function cell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, '<br>');
}

const linkText = (s: string) => cell(s).replace(/[[\]]/g, '\\$&');
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * The job summary: a verdict line, totals per policy, then a table per policy with a link to
 * each finding's lines. Kept under `maxBytes` (1 MiB): rows that do not fit are cut, and a
 * note says how many and where to read them.
 */
export const markdown: Reporter = (result, ctx) => {
  const max = ctx.maxBytes ?? STEP_SUMMARY_MAX_BYTES;
  const { errors, warnings, notices } = result.summary;
  const total = errors + warnings + notices;
  const ran = result.policies.filter((p) => p.status !== 'skipped').length;
  const notRun = couldNotRun(result);
  const skipped = result.policies.length - ran - notRun.length;
  const verdict =
    result.internalErrors > 0
      ? `✖ ${plural(result.internalErrors, 'policy')} crashed`
      : errors > 0
        ? '✖ failed'
        : total > 0
          ? '⚠ passed with findings'
          : notRun.length > 0
            ? '⊘ no findings, but not every policy ran'
            : '✔ passed';
  const head: string[] = [
    `## OdooOps Gates: ${verdict}`,
    '',
    `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(notices, 'notice')}${result.summary.suppressed ? ` (and ${result.summary.suppressed} suppressed, which do not fail the run)` : ''} — ${ran} of ${result.policies.length} policies ran${skipped ? ` (${skipped} not affected by the change)` : ''}${notRun.length ? `; ${plural(notRun.length, 'policy')} could not run` : ''}.`,
    '',
  ];
  if (notRun.length) {
    head.push('| skipped policy | why it did not run |', '| --- | --- |');
    for (const p of notRun) head.push(`| \`${p.id}\` | ${cell(p.reason)} |`);
    head.push('');
  }
  const byPolicy = groupBy(result.findings, (f) => f.policy);
  const withFindings = result.policies.filter((p) => (byPolicy.get(p.id) ?? []).length > 0);
  if (withFindings.length) {
    head.push('| policy | errors | warnings | notices |', '| --- | ---: | ---: | ---: |');
    for (const p of withFindings) {
      const fs = byPolicy.get(p.id) ?? [];
      const n = (s: Finding['severity']) => fs.filter((f) => f.severity === s && !f.suppressed).length;
      head.push(`| [\`${p.id}\`](#${anchor(p.id)}) | ${n('error')} | ${n('warning')} | ${n('notice')} |`);
    }
    head.push('');
  }
  const parts = [head.join('\n')];
  let used = bytes(parts[0] ?? '');
  const where = ctx.fullReport ?? 'the gate report (artifacts/gate-report.json)';
  const note = (left: number) =>
    `\n> [!WARNING]\n> Truncated: ${plural(left, 'more finding')} not shown here (this summary is capped at ${max} bytes). Read every finding in ${where}.\n`;
  // Room kept for the truncation note, so the capped text plus the note never passes the cap.
  const budget = max - bytes(note(result.findings.length));
  const add = (s: string): boolean => {
    const n = bytes(s);
    if (used + n > budget) return false;
    parts.push(s);
    used += n;
    return true;
  };
  let shown = 0;
  let cut = false;
  for (const p of withFindings) {
    const docs = blobUrl(ctx.links, p.docs);
    const section = [
      `### \`${p.id}\``,
      '',
      `${cell(p.title)} — ${docs ? `[${linkText(p.docs)}](${docs})` : `\`${p.docs}\``}`,
      '',
      '| severity | location | message |',
      '| --- | --- | --- |',
    ].join('\n');
    if (!add(`\n${section}\n`)) {
      cut = true;
      break;
    }
    for (const f of byPolicy.get(p.id) ?? []) {
      const place = `${f.file}:${f.line}:${f.column}`;
      const url = lineUrl(ctx.links, f);
      const sev = f.suppressed ? `${f.severity} (suppressed)` : f.severity;
      const msg = f.suppressed ? `${findingText(f)} — ${suppressedBy(f.suppressed)}` : findingText(f);
      if (!add(`| ${sev} | ${url ? `[${linkText(place)}](${url})` : `\`${place.replace(/`/g, "'")}\``} | ${cell(msg)} |\n`)) {
        cut = true;
        break;
      }
      shown++;
    }
    if (cut) break;
  }
  if (cut) parts.push(note(result.findings.length - shown));
  const out = parts.join('');
  return out.endsWith('\n') ? out : `${out}\n`;
};

/** GitHub's heading anchor for `` `id` ``: lowercase, punctuation dropped, spaces to dashes. */
function anchor(id: string): string {
  return id
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}
