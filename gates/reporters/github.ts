import { SEVERITIES, type Finding, type Severity } from '../core/finding.ts';
import { couldNotRun, type GateResult } from '../core/run.ts';
import { CHECK_SUMMARY_MAX, conclusionOf, type CheckRunReport } from '../github/checks.ts';
import { planAnnotations } from './annotations.ts';
import { findingText, plural } from './util.ts';
import { markdown } from './markdown.ts';
import type { Reporter, ReporterContext } from './types.ts';

/** GitHub shows at most this many annotations per level and step. */
const WORKFLOW_COMMAND_LIMIT = 10;

/** Escapes a workflow command's message (`%`, CR, LF), as @actions/core does. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value: the data escapes plus `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const command: Record<Severity, string> = { error: 'error', warning: 'warning', notice: 'notice' };

/** One `::error file=…,line=…::message` line; columns only on single-line ranges (end column inclusive). */
function workflowCommand(f: Finding): string {
  const props: Array<[string, string | number]> = [
    ['file', f.file],
    ['line', f.line],
    ['endLine', f.endLine],
  ];
  if (f.endLine === f.line) props.push(['col', f.column], ['endColumn', Math.max(f.column, f.endColumn - 1)]);
  props.push(['title', f.policy]);
  const p = props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${command[f.severity]} ${p}::${escapeData(findingText(f))}`;
}

/**
 * Workflow commands for the findings that pass the `--annotate` filter, at most 10 per level
 * (errors first, findings on changed lines first); a last notice says how many more there are
 * and where to read them (it takes one of the notice slots).
 */
export const github: Reporter = (result, ctx) => {
  const { annotate, filteredOut } = planAnnotations(result.findings, ctx);
  const by: Record<Severity, Finding[]> = { error: [], warning: [], notice: [] };
  for (const f of annotate) by[f.severity].push(f);
  const hidden = (s: Severity, limit: number) => Math.max(0, by[s].length - limit);
  const overflow =
    hidden('error', WORKFLOW_COMMAND_LIMIT) + hidden('warning', WORKFLOW_COMMAND_LIMIT) + hidden('notice', WORKFLOW_COMMAND_LIMIT) + filteredOut > 0;
  const noticeLimit = overflow ? WORKFLOW_COMMAND_LIMIT - 1 : WORKFLOW_COMMAND_LIMIT;
  const limits: Record<Severity, number> = { error: WORKFLOW_COMMAND_LIMIT, warning: WORKFLOW_COMMAND_LIMIT, notice: noticeLimit };
  const lines: string[] = [];
  for (const s of SEVERITIES) for (const f of by[s].slice(0, limits[s])) lines.push(workflowCommand(f));
  if (overflow) {
    const parts = SEVERITIES.filter((s) => hidden(s, limits[s]) > 0).map((s) => plural(hidden(s, limits[s]), `more ${s}`));
    const what = [
      parts.length ? `${parts.join(', ')} not shown as annotations (GitHub shows ${WORKFLOW_COMMAND_LIMIT} per level and step)` : '',
      filteredOut ? `${plural(filteredOut, 'finding')} outside the annotated lines (--annotate ${ctx.annotate ?? 'all'})` : '',
    ].filter(Boolean);
    const where = ctx.fullReport ?? 'the gate report (artifacts/gate-report.json)';
    lines.push(`::notice title=${escapeProperty('OdooOps Gates')}::${escapeData(`${what.join('; ')}; read every finding in ${where}`)}`);
  }
  const suppressed = result.findings.filter((f) => f.suppressed).length;
  if (suppressed > 0) {
    const where = ctx.fullReport ?? 'the gate report (artifacts/gate-report.json)';
    lines.push(
      `::notice title=${escapeProperty('OdooOps Gates')}::${escapeData(`${suppressed} ${suppressed === 1 ? 'finding is' : 'findings are'} suppressed by waivers, gates-allow comments or the baseline and do not fail the run; read them in ${where}`)}`,
    );
  }
  // Policies that could not run, each said once (outside the per-level annotation budget of findings).
  for (const p of couldNotRun(result)) lines.push(`::warning title=${escapeProperty(`${p.id} skipped`)}::${escapeData(p.reason ?? '')}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
};

/** What the check run shows: its conclusion, a title counting the findings, the markdown summary and the annotations. */
export function checkRunReport(result: GateResult, ctx: ReporterContext): CheckRunReport {
  const { errors, warnings, notices } = result.summary;
  return {
    conclusion: conclusionOf(result),
    title: [plural(errors, 'error'), plural(warnings, 'warning'), plural(notices, 'notice')].join(', '),
    summary: markdown(result, { ...ctx, maxBytes: CHECK_SUMMARY_MAX }),
    annotations: planAnnotations(result.findings, ctx).annotate,
  };
}
