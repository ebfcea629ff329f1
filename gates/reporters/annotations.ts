import { SEVERITY_RANK as rank, type Finding } from '../core/finding.ts';
import { annotatable, onAddedLines } from '../github/diff.ts';
import type { ReporterContext } from './types.ts';

export interface AnnotationPlan {
  /** Findings that pass the `--annotate` filter: errors first, then findings on changed lines, then report order. */
  annotate: Finding[];
  /** How many findings the filter kept out of annotations (they stay in the summary and reports). */
  filteredOut: number;
}

/** Chooses and orders the findings that become annotations. */
export function planAnnotations(findings: readonly Finding[], ctx: Pick<ReporterContext, 'annotate' | 'diff'>): AnnotationPlan {
  const mode = ctx.annotate ?? 'all';
  // Suppressed findings are accepted: they are in the reports, never annotations.
  const keep = findings.filter((f) => !f.suppressed && annotatable(f, mode, ctx.diff));
  const changed = (f: Finding) => (onAddedLines(f, ctx.diff) ? 0 : 1);
  // Array.prototype.sort is stable, so ties keep the report's (file, position) order.
  const annotate = keep
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank[a.f.severity] - rank[b.f.severity] || changed(a.f) - changed(b.f) || a.i - b.i)
    .map((x) => x.f);
  return { annotate, filteredOut: findings.filter((f) => !f.suppressed).length - keep.length };
}
