import type { Finding } from '../core/finding.ts';
import type { GateResult } from '../core/run.ts';
import type { Reporter } from './types.ts';

/** The JSON report; `gate-report.json` has this shape (schemas/artifacts/gate-report.schema.json). */
export function toJsonReport(result: GateResult): object {
  return {
    findings: result.findings.map((f: Finding) => ({
      policy: f.policy,
      severity: f.severity,
      message: f.message,
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      docs: f.docs,
      fingerprint: f.fingerprint,
      ...(f.pointer !== undefined ? { pointer: f.pointer } : {}),
      ...(f.doc !== undefined ? { doc: f.doc } : {}),
      ...(f.data !== undefined ? { data: f.data } : {}),
      ...(f.messageId !== undefined ? { messageId: f.messageId } : {}),
      ...(f.suppressed !== undefined ? { suppressed: f.suppressed } : {}),
    })),
    summary: { ...result.summary, internalErrors: result.internalErrors },
    policies: result.policies.map((p) => ({
      id: p.id,
      severity: p.severity,
      status: p.status,
      findings: p.findings,
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
    })),
    ...(result.shard ? { shard: result.shard } : {}),
  };
}

export const json: Reporter = (result) => `${JSON.stringify(toJsonReport(result), null, 2)}\n`;
