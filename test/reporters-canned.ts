import type { Finding } from '../gates/core/finding.ts';
import { summarize } from '../gates/core/finding.ts';
import type { GateResult, PolicyRun } from '../gates/core/run.ts';

/** A canned finding; fingerprints are fixed strings so outputs are exact. */
export function finding(p: Partial<Finding> & Pick<Finding, 'policy' | 'file' | 'line' | 'message'>): Finding {
  return {
    severity: 'error',
    column: 1,
    endLine: p.line,
    endColumn: (p.column ?? 1) + 1,
    docs: `docs/policies/${p.policy}.md`,
    fingerprint: 'f'.repeat(32),
    ...p,
  };
}

export function policyRun(id: string, over: Partial<PolicyRun> = {}): PolicyRun {
  return { id, title: `Title of ${id}`, severity: 'error', docs: `docs/policies/${id}.md`, status: 'ran', durationMs: 1.5, findings: 0, ...over };
}

export function result(findings: Finding[], policies: PolicyRun[], internalErrors = 0): GateResult {
  for (const p of policies) p.findings = findings.filter((f) => f.policy === p.id).length;
  return { root: '/repo', findings, summary: summarize(findings), policies, internalErrors, durationMs: 42 };
}
