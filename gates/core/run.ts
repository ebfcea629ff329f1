import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import picomatch from 'picomatch';
import { cmp, compareFindings, summarize, type Finding, type PolicyFinding, type Range, type Summary } from './finding.ts';
import { isSkip, renderMessage, type Policy } from './policy.ts';
import { Repo, type GateOptions, type RepoContext } from './repo.ts';
import { locatePointer } from './yaml.ts';

export interface PolicyRun {
  id: string;
  title: string;
  severity: Policy['severity'];
  docs: string;
  status: 'ran' | 'skipped' | 'crashed';
  /** Why a skipped policy did not run (not affected by the change, or it could not run). */
  reason?: string;
  durationMs: number;
  findings: number;
}

export interface GateResult {
  root: string;
  findings: Finding[];
  summary: Summary;
  policies: PolicyRun[];
  /** Policies that threw; any makes the run exit 2. */
  internalErrors: number;
  durationMs: number;
}

/** Why a policy did not run in pull-request mode. */
const NOT_AFFECTED = 'no changed file matches its globs';

/** Policies that skipped themselves (they could not run), with their reasons; not those the change did not affect. */
export function selfSkipped(result: Pick<GateResult, 'policies'>): Array<PolicyRun & { reason: string }> {
  return result.policies.filter((p): p is PolicyRun & { reason: string } => p.status === 'skipped' && p.reason !== undefined && p.reason !== NOT_AFFECTED);
}

export interface RunRequest extends GateOptions {
  policies: readonly Policy[];
}

/** Runs the policies over the repository and returns located, sorted, de-duplicated findings. */
export async function runGates(req: RunRequest): Promise<GateResult> {
  const started = performance.now();
  const repo = new Repo({ ...req, policyIds: req.policyIds ?? req.policies.map((p) => p.id) });
  const runs: PolicyRun[] = [];
  const findings: Finding[] = [];
  let internalErrors = 0;
  const changed = req.changedFiles;
  const applies = (policy: Policy): boolean => {
    if (!changed) return true;
    const match = picomatch([...policy.appliesTo], { dot: true });
    return changed.some((f) => match(f));
  };
  const active = new Set(req.policies.filter(applies));
  for (const policy of req.policies) {
    const run: PolicyRun = {
      id: policy.id,
      title: policy.title,
      severity: policy.severity,
      docs: policy.docs,
      status: 'ran',
      durationMs: 0,
      findings: 0,
    };
    runs.push(run);
    if (!active.has(policy)) {
      run.status = 'skipped';
      run.reason = NOT_AFFECTED;
      continue;
    }
    const t0 = performance.now();
    let raw: PolicyFinding[];
    try {
      const outcome = await policy.check(repo);
      if (isSkip(outcome)) {
        run.status = 'skipped';
        run.reason = outcome.skipped;
        raw = [];
      } else if (!Array.isArray(outcome)) throw new Error(`check() returned ${typeof outcome}, not an array of findings`);
      else raw = outcome;
    } catch (e) {
      internalErrors++;
      run.status = 'crashed';
      raw = [internalError(policy, e)];
    }
    run.durationMs = Math.round((performance.now() - t0) * 10) / 10;
    // File by file, so each file's parsed documents are rebuilt at most once to locate its findings.
    for (const pf of [...raw].sort((a, b) => cmp(String(a.file), String(b.file)))) {
      try {
        findings.push(resolveFinding(repo, policy, pf));
      } catch (e) {
        internalErrors++;
        run.status = 'crashed';
        findings.push(resolveFinding(repo, policy, internalError(policy, e)));
      }
    }
  }
  const unique = dedupe(findings.sort(compareFindings));
  for (const r of runs) r.findings = unique.filter((f) => f.policy === r.id).length;
  return {
    root: repo.root,
    findings: unique,
    summary: summarize(unique),
    policies: runs,
    internalErrors,
    durationMs: Math.round(performance.now() - started),
  };
}

function internalError(policy: Policy, e: unknown): PolicyFinding {
  const msg = e instanceof Error ? e.message : String(e);
  return {
    file: `policies/${policy.id}.ts`,
    line: 1,
    column: 1,
    severity: 'error',
    message: `internal error: policy ${policy.id} threw: ${msg.split('\n')[0] ?? msg} — this is a bug in the gate, not in your change; please report it`,
    key: 'internal-error',
  };
}

/** Turns a policy's finding into a complete, located finding. */
function resolveFinding(repo: RepoContext, policy: Policy, pf: PolicyFinding): Finding {
  if (typeof pf.file !== 'string') throw new Error('a finding needs a file');
  let message = findingMessage(policy, pf);
  let range: Range;
  if (pf.pointer !== undefined) {
    const y = repo.yaml(pf.file);
    if (y) {
      const loc = locatePointer(y, pf.pointer, { doc: pf.doc, at: pf.at });
      range = loc.range;
      if (loc.anchor) message += ` (reached through alias *${loc.anchor.name}; the anchor &${loc.anchor.name} is at line ${loc.anchor.line})`;
      if (y.docCount > 1) message += ` (document ${(pf.doc ?? 0) + 1} of ${y.docCount})`;
    } else range = point(1, 1);
  } else if (pf.offset !== undefined) {
    const t = repo.read(pf.file);
    range = t.ok ? t.lines.byteRange(pf.offset, pf.endOffset ?? pf.offset) : point(1, 1);
  } else if (pf.line !== undefined) {
    const line = pf.line;
    const column = pf.column ?? 1;
    if (pf.endLine !== undefined || pf.endColumn !== undefined) {
      range = { line, column, endLine: pf.endLine ?? line, endColumn: pf.endColumn ?? column };
    } else {
      const t = repo.read(pf.file);
      range = t.ok ? t.lines.lineRange(line, column) : point(line, column);
    }
  } else range = point(1, 1);
  const severity = pf.severity ?? policy.severity;
  const f: Finding = {
    policy: policy.id,
    severity,
    message,
    file: pf.file,
    ...range,
    docs: policy.docs,
    fingerprint: fingerprint(policy.id, pf),
  };
  if (pf.messageId !== undefined) f.messageId = pf.messageId;
  if (pf.pointer !== undefined) f.pointer = pf.pointer;
  if (pf.doc !== undefined) f.doc = pf.doc;
  if (pf.data !== undefined) f.data = pf.data;
  return f;
}

/** The finding's text: its message template rendered with its data, or its literal message. */
function findingMessage(policy: Policy, pf: PolicyFinding): string {
  if (pf.messageId !== undefined) {
    const template = policy.messages?.[pf.messageId];
    if (template === undefined) throw new Error(`the finding names message "${pf.messageId}", which the policy does not declare`);
    return renderMessage(template, pf.data);
  }
  if (typeof pf.message !== 'string') throw new Error('a finding needs a messageId or a message');
  return pf.message;
}

function point(line: number, column: number): Range {
  return { line, column, endLine: line, endColumn: column };
}

/**
 * Identity of a finding that survives unrelated edits: policy, file, and what it is about (the
 * policy's key, else the pointer, else the message with its numbers masked).
 */
export function fingerprint(policy: string, pf: PolicyFinding): string {
  const what =
    pf.key ??
    (pf.pointer !== undefined
      ? `${pf.doc ?? 0}:${pf.pointer}:${pf.at ?? 'value'}`
      : (pf.messageId !== undefined ? `${pf.messageId}:${JSON.stringify(pf.data ?? {})}` : (pf.message ?? '')).replace(/\d+/g, '#'));
  return createHash('sha256').update(`${policy}\0${pf.file}\0${what}`).digest('hex').slice(0, 32);
}

function dedupe(sorted: Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of sorted) {
    const prev = out[out.length - 1];
    if (prev && compareFindings(prev, f) === 0) continue;
    out.push(f);
  }
  return out;
}

export function exitCode(result: GateResult): 0 | 1 | 2 {
  if (result.internalErrors > 0) return 2;
  return result.summary.errors > 0 ? 1 : 0;
}
