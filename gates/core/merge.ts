import { performance } from 'node:perf_hooks';
import { applyBaseline, type Baseline } from './baseline.ts';
import { compareFindings, summarize, type Finding, type PolicyFinding, type Severity } from './finding.ts';
import { isSkip, type Policy } from './policy.ts';
import { Repo } from './repo.ts';
import { resolveFinding, type GateResult, type PolicyRun } from './run.ts';
import { usesOf } from './waivers.ts';
import { findingText } from '../reporters/util.ts';

/** A `gate-report.json` as read back (schemas/artifacts/gate-report.schema.json). */
export interface JsonReport {
  findings: Array<Omit<Finding, 'docs' | 'fingerprint'> & { docs?: string; fingerprint?: string }>;
  summary: { internalErrors?: number };
  /** `failed` is how gate-report.json names a policy that crashed. */
  policies?: Array<{ id: string; severity: Severity; status: PolicyRun['status'] | 'failed'; findings: number; reason?: string }>;
  shard?: { index: number; count: number };
  /** The run fields of gate-report.json (its identity and timings). */
  run?: import('../artifacts/run-info.ts').RunInfo & { policy_duration_ms?: Record<string, number> };
}

export class MergeError extends Error {}

/** What shards 2..N say of a cross-file policy: it ran in shard 1. */
const SHARD_SKIP = /^a cross-file policy; it runs in shard 1\//;

/**
 * Combines the JSON reports of the N shards of one run into the report of the whole run: the
 * findings of all shards (a finding reported by several, such as a schema problem, once), every
 * policy's outcome (ran where any shard ran it), and what only the whole run can tell — the
 * waivers and allows that matched nothing (`afterRun` policies) and, with a baseline, what is gone
 * from it. Reports of a whole run (no `shard`) may be combined too, as a plain union.
 */
export function mergeReports(reports: readonly JsonReport[], opts: MergeOptions): Promise<GateResult> {
  // A promise either way: a report set that cannot be merged rejects it rather than throwing.
  return new Promise((resolve) => resolve(mergeNow(reports, opts)));
}

interface MergeOptions {
  root: string;
  artifactsDir: string;
  policies: readonly Policy[];
  baseline?: Baseline;
  today?: string;
}

function mergeNow(reports: readonly JsonReport[], opts: MergeOptions): GateResult {
  const started = performance.now();
  if (reports.length === 0) throw new MergeError('gates merge needs at least one report');
  const sharded = reports.filter((r) => r.shard);
  let complete = sharded.length === 0;
  if (sharded.length > 0) {
    const count = sharded[0]?.shard?.count ?? 0;
    const seen = new Set<number>();
    for (const r of reports) {
      if (!r.shard) throw new MergeError('the reports mix shards and whole runs; merge the N reports of one `--shard K/N` run');
      if (r.shard.count !== count) throw new MergeError(`the reports come from different splits (${count} and ${r.shard.count} shards)`);
      if (seen.has(r.shard.index)) throw new MergeError(`shard ${r.shard.index}/${count} is given twice`);
      seen.add(r.shard.index);
    }
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !seen.has(k));
    if (missing.length)
      throw new MergeError(
        `shard${missing.length === 1 ? '' : 's'} ${missing.map((k) => `${k}/${count}`).join(', ')} missing: merge all ${count} reports of the run`,
      );
    complete = true;
  }
  const byId = new Map(opts.policies.map((p) => [p.id, p]));
  const after = new Set(opts.policies.filter((p) => p.afterRun !== undefined).map((p) => p.id));

  const runs = new Map<string, PolicyRun>();
  for (const r of reports) {
    for (const raw of r.policies ?? []) {
      const p = { ...raw, status: raw.status === 'failed' ? 'crashed' : raw.status } as const;
      const known = byId.get(p.id);
      const prev = runs.get(p.id);
      // Timings are not in the reports (they keep the same bytes for the same input).
      const run: PolicyRun = prev ?? {
        id: p.id,
        title: known?.title ?? p.id,
        severity: p.severity,
        docs: known?.docs ?? `docs/policies/${p.id}.md`,
        status: p.status,
        durationMs: 0,
        findings: 0,
      };
      if (prev) {
        if (p.status === 'crashed' || run.status === 'crashed') run.status = 'crashed';
        else if (p.status === 'ran' || run.status === 'ran') run.status = 'ran';
      }
      if (run.status === 'skipped') {
        // The reason that says why it did not run at all, not that another shard ran it.
        const own = p.reason !== undefined && !SHARD_SKIP.test(p.reason);
        if (p.reason !== undefined && (run.reason === undefined || (own && SHARD_SKIP.test(run.reason)))) run.reason = p.reason;
      } else delete run.reason;
      runs.set(p.id, run);
    }
  }

  let findings: Finding[] = [];
  for (const r of reports) {
    for (const f of r.findings) {
      // The whole run's afterRun policies are judged below; a shard's say is partial.
      if (complete && after.has(f.policy)) continue;
      findings.push({
        ...f,
        message: policyMessage(f),
        docs: f.docs ?? byId.get(f.policy)?.docs ?? `docs/policies/${f.policy}.md`,
        fingerprint: f.fingerprint ?? '',
      });
    }
  }
  findings = uniqueFindings(findings);

  let internalErrors = reports.reduce((n, r) => n + (r.summary.internalErrors ?? 0), 0);
  if (complete) {
    const repo = new Repo({ root: opts.root, artifactsDir: opts.artifactsDir, ...(opts.today ? { today: opts.today } : {}) });
    const ranFully = new Set([...runs.values()].filter((r) => r.status === 'ran').map((r) => r.id));
    const uses = usesOf(findings);
    for (const id of after) {
      const policy = byId.get(id);
      const run = runs.get(id);
      if (!policy?.afterRun || !run || run.status === 'crashed') continue;
      let raw: PolicyFinding[] = [];
      try {
        const outcome = policy.afterRun(repo, { findings, uses, ranFully, complete: true });
        if (isSkip(outcome)) {
          run.status = 'skipped';
          run.reason = outcome.skipped;
        } else {
          run.status = 'ran';
          delete run.reason;
          raw = outcome;
        }
      } catch (e) {
        run.status = 'crashed';
        internalErrors++;
        raw = [
          {
            file: `policies/${id}.ts`,
            line: 1,
            message: `internal error: policy ${id} threw: ${e instanceof Error ? e.message : String(e)}`,
            severity: 'error',
          },
        ];
      }
      findings.push(...raw.map((pf) => resolveFinding(repo, policy, pf)));
    }
    findings = uniqueFindings(findings);
  }

  let baselineStale;
  if (opts.baseline) {
    // The baseline is matched once over the whole run, as an unsharded run does.
    for (const f of findings) if (f.suppressed?.kind === 'baseline') delete f.suppressed;
    const stale = applyBaseline(opts.baseline, findings);
    if (complete) baselineStale = stale;
  }
  const policies = [...runs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const r of policies) r.findings = findings.filter((f) => f.policy === r.id).length;
  return {
    root: opts.root,
    findings,
    summary: summarize(findings),
    policies,
    internalErrors,
    durationMs: Math.round(performance.now() - started),
    ...(baselineStale ? { baselineStale } : {}),
  };
}

/** Sorted, each finding once (the same finding from several shards, e.g. a schema's own problem). */
function uniqueFindings(findings: Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of [...findings].sort(compareFindings)) {
    const prev = out[out.length - 1];
    if (prev && compareFindings(prev, f) === 0) continue;
    out.push(f);
  }
  return out;
}

/**
 * A report's message is the finding's whole text, with its alias and document worded by the
 * reporter; the finding keeps the policy's message and the data, so no reporter words them twice.
 */
function policyMessage(f: JsonReport['findings'][number]): string {
  const suffix = findingText({ message: '', alias: f.alias, doc: f.doc, docCount: f.docCount });
  return suffix && f.message.endsWith(suffix) ? f.message.slice(0, -suffix.length) : f.message;
}
