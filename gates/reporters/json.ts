import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENGINE_DIR } from '../core/artifacts.ts';
import type { Finding } from '../core/finding.ts';
import type { GateResult } from '../core/run.ts';
import { blobUrl } from './links.ts';
import type { RepoLinks, Reporter } from './types.ts';
import { findingText } from './util.ts';

/** A policy docs page as a URL: on GitHub at the checked commit when known, else the engine's local file. */
export function docsUrl(docs: string, links?: RepoLinks): string {
  return blobUrl(links, docs) ?? pathToFileURL(path.join(ENGINE_DIR, docs)).href;
}

/** The JSON report; `gate-report.json` has this shape (schemas/artifacts/gate-report.schema.json). */
export function toJsonReport(result: GateResult, links?: RepoLinks): object {
  return {
    // The run fields: its identity and timings, the only bytes that differ between runs of one input.
    ...(result.run ? { run: { ...result.run, policy_duration_ms: Object.fromEntries(result.policies.map((p) => [p.id, p.durationMs])) } } : {}),
    findings: result.findings.map((f: Finding) => ({
      policy: f.policy,
      severity: f.severity,
      message: findingText(f),
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      docs: f.docs,
      docsUrl: docsUrl(f.docs, links),
      fingerprint: f.fingerprint,
      ...(f.pointer !== undefined ? { pointer: f.pointer } : {}),
      ...(f.doc !== undefined ? { doc: f.doc } : {}),
      ...(f.docCount !== undefined ? { docCount: f.docCount } : {}),
      ...(f.alias !== undefined ? { alias: f.alias } : {}),
      ...(f.data !== undefined ? { data: f.data } : {}),
      ...(f.messageId !== undefined ? { messageId: f.messageId } : {}),
      ...(f.suppressed !== undefined ? { suppressed: f.suppressed } : {}),
    })),
    summary: { ...result.summary, internalErrors: result.internalErrors },
    policies: result.policies.map((p) => ({
      id: p.id,
      severity: p.severity,
      status: p.status === 'crashed' ? 'failed' : p.status,
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
      findings: p.findings,
    })),
    ...(result.missingArtifacts?.length ? { missingArtifacts: result.missingArtifacts } : {}),
    ...(result.shard ? { shard: result.shard } : {}),
  };
}

export const json: Reporter = (result, ctx) => `${JSON.stringify(toJsonReport(result, ctx.links), null, 2)}\n`;
