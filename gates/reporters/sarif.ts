import fs from 'node:fs';
import { couldNotRun } from '../core/run.ts';
import path from 'node:path';
import { ENGINE_DIR } from '../core/artifacts.ts';
import { cmp, type Severity, type Suppression } from '../core/finding.ts';
import { blobUrl, encodePath } from './links.ts';
import type { Reporter } from './types.ts';
import { findingText } from './util.ts';

/** The key of our fingerprint in `partialFingerprints`; bump the version if its recipe changes. */
export const FINGERPRINT_KEY = 'odooopsGates/v2';
export const SRCROOT = '%SRCROOT%';

const level: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', notice: 'note' };

let engineVersion: string | undefined;
function version(): string {
  engineVersion ??= (JSON.parse(fs.readFileSync(path.join(ENGINE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  return engineVersion;
}

/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per policy (title, docs link), results with
 * repo-relative URIs under `%SRCROOT%`, regions in code points, and the runner's fingerprint
 * (stable across unrelated line moves) as a partial fingerprint.
 */
/**
 * A SARIF suppression: an inline allow is `inSource`, a waiver or the baseline `external`; all are
 * accepted, with the reason as the justification and the waiver's or comment's place as location.
 */
function suppression(s: Suppression): object {
  const who = [s.owner && `owner ${s.owner}`, s.expires && `until ${s.expires}`].filter(Boolean).join(', ');
  return {
    kind: s.kind === 'inline' ? 'inSource' : 'external',
    status: 'accepted',
    justification: who ? `${s.justification} (${who})` : s.justification,
    location: {
      physicalLocation: {
        artifactLocation: { uri: encodePath(s.file), uriBaseId: SRCROOT },
        ...(s.line !== undefined ? { region: { startLine: s.line } } : {}),
      },
    },
  };
}

export const sarif: Reporter = (result, ctx) => {
  const policies = new Map(result.policies.map((p) => [p.id, p]));
  const ids = [...new Set([...policies.keys(), ...result.findings.map((f) => f.policy)])].sort(cmp);
  const rules = ids.map((id) => {
    const p = policies.get(id);
    const docs = p?.docs ?? result.findings.find((f) => f.policy === id)?.docs ?? `docs/policies/${id}.md`;
    const title = p?.title ?? id;
    const url = blobUrl(ctx.links, docs);
    return {
      id,
      name: id.replace(/(^|[/-])([a-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase()),
      shortDescription: { text: title },
      fullDescription: { text: `${title}. Why it matters, a bad and a good example, and how to fix: ${docs}.` },
      ...(url ? { helpUri: url } : {}),
      help: {
        text: `${title}. Read ${docs} for why it matters, examples and how to fix it.`,
        markdown: `**${title}**. Read [${docs}](${url ?? encodePath(docs)}) for why it matters, examples and how to fix it.`,
      },
      defaultConfiguration: { level: level[p?.severity ?? 'error'] },
      properties: { tags: ['odooops-gates', id.split('/')[0] ?? id] },
    };
  });
  const ruleIndex = new Map(ids.map((id, i) => [id, i]));
  const results = result.findings.map((f) => ({
    ruleId: f.policy,
    ruleIndex: ruleIndex.get(f.policy) ?? 0,
    level: level[f.severity],
    message: { text: findingText(f) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodePath(f.file), uriBaseId: SRCROOT },
          region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: Math.max(f.endColumn, f.endLine === f.line ? f.column : 1) },
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    ...(f.suppressed ? { suppressions: [suppression(f.suppressed)] } : {}),
  }));
  const run = {
    tool: {
      driver: {
        name: 'OdooOps Gates',
        semanticVersion: version(),
        ...(ctx.links ? { informationUri: `${ctx.links.serverUrl}/${ctx.links.repository}` } : {}),
        rules,
      },
    },
    ...(ctx.links
      ? {
          versionControlProvenance: [
            { repositoryUri: `${ctx.links.serverUrl}/${ctx.links.repository}`, revisionId: ctx.links.sha, mappedTo: { uriBaseId: SRCROOT } },
          ],
        }
      : {}),
    invocations: [
      {
        executionSuccessful: result.internalErrors === 0,
        // A policy that could not run is said, never shown as a clean result.
        ...(couldNotRun(result).length
          ? {
              toolExecutionNotifications: couldNotRun(result).map((p) => ({
                level: 'warning',
                message: { text: `${p.id} skipped: ${p.reason ?? ''}` },
                descriptor: { id: p.id },
              })),
            }
          : {}),
      },
    ],
    originalUriBaseIds: { [SRCROOT]: { description: { text: 'The root of the checked repository.' } } },
    columnKind: 'unicodeCodePoints',
    results,
  };
  return `${JSON.stringify({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] }, null, 2)}\n`;
};
