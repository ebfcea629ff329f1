import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import picomatch from 'picomatch';
import { cmp, compareFindings, summarize, type Finding, type PolicyFinding, type Range, type Summary } from './finding.ts';
import { applyBaseline, type Baseline, type StaleEntry } from './baseline.ts';
import { isSkip, renderMessage, type Policy, type PolicyOutcome } from './policy.ts';
import { Repo, type GateOptions, type RepoContext } from './repo.ts';
import { ScopedRepo, shardOf } from './scope.ts';
import type { LineIndex } from './text.ts';
import { applyWaivers } from './waivers.ts';
import { locatePointer } from './yaml.ts';
import type { RunInfo } from '../artifacts/run-info.ts';

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

/** The reason of a policy skipped because the change does not touch its files (pull-request mode). */
export const NOT_AFFECTED = 'no changed file matches its globs';

/** Policies that should have run but could not (skipped for a reason other than the change not touching them). */
export function couldNotRun(result: Pick<GateResult, 'policies'>): Array<PolicyRun & { reason: string }> {
  return result.policies.filter((p): p is PolicyRun & { reason: string } => p.status === 'skipped' && p.reason !== undefined && p.reason !== NOT_AFFECTED);
}

export interface GateResult {
  root: string;
  findings: Finding[];
  summary: Summary;
  policies: PolicyRun[];
  /** Policies that threw; any makes the run exit 2. */
  internalErrors: number;
  durationMs: number;
  /** The run's identity, set by the check command (gate-report.json's `run`). */
  run?: RunInfo;
  /** Artifacts not written and why (e.g. ssot.json while the SSOT has errors). */
  missingArtifacts?: Array<{ artifact: string; reason: string }>;
  /** The repository as the policies saw it (its parsed files and shared results), for the artifacts. */
  repo?: RepoContext;
  /** The shard of the per-file work this run did (`--shard K/N`); absent for a whole run. */
  shard?: { index: number; count: number };
  /** With a baseline, on a complete run: its entries whose findings are gone (prune them). */
  baselineStale?: StaleEntry[];
}

export interface RunRequest extends GateOptions {
  policies: readonly Policy[];
  /** Findings in the baseline are reported as baselined and do not fail the run. */
  baseline?: Baseline;
}

/** Runs the policies over the repository and returns located, sorted, de-duplicated findings. */
export async function runGates(req: RunRequest): Promise<GateResult> {
  const started = performance.now();
  const repo = new Repo({ ...req, policyIds: req.policyIds ?? req.policies.map((p) => p.id) });
  const runs: PolicyRun[] = [];
  const findings: Finding[] = [];
  let internalErrors = 0;
  const changed = req.changedFiles;
  const shard = req.shard && req.shard.count > 1 ? req.shard : undefined;
  const complete = !changed && !shard;
  const ranFully = new Set<string>();
  const applies = (policy: Policy): boolean => {
    if (!changed) return true;
    const match = picomatch([...policy.appliesTo], { dot: true });
    return changed.some((f) => match(f));
  };
  const later: Array<[Policy, PolicyRun]> = [];
  const waiting: Array<Promise<boolean>> = [];
  // Slow shared work (the replay's database) starts first and overlaps the policies before its own.
  for (const policy of req.policies) {
    if (!policy.warmUp || !applies(policy)) continue;
    const plan = planScope(repo, policy, changed, shard);
    if (typeof plan !== 'string') {
      try {
        policy.warmUp(plan.ctx);
      } catch {
        // A warm-up only saves time: the check itself runs (and reports) the same work.
      }
    }
  }
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
    if (!applies(policy)) {
      run.status = 'skipped';
      run.reason = NOT_AFFECTED;
      continue;
    }
    const t0 = performance.now();
    const plan = planScope(repo, policy, changed, shard);
    if (typeof plan === 'string') {
      run.status = 'skipped';
      run.reason = plan;
      run.durationMs = Math.round((performance.now() - t0) * 10) / 10;
      continue;
    }
    if (policy.afterRun) later.push([policy, run]);
    const done = outcomeOf(run, () => policy.check(plan.ctx)).then((raw) => {
      const status = run.status;
      if (status === 'crashed') internalErrors++;
      else if (status === 'ran' && plan.full) ranFully.add(policy.id);
      run.durationMs = Math.round((performance.now() - t0) * 10) / 10;
      internalErrors += locate(repo, policy, run, raw, findings);
      return true;
    });
    // A check still waiting once its own work is done (on the replay the warm-up started, say) is
    // not waited for here: the next policies run meanwhile, and every check is settled before the
    // afterRun policies and the result. Its time is from its start to its result.
    if (!(await Promise.race([done, nextTurn()]))) waiting.push(done);
  }
  await Promise.all(waiting);
  const uses = applyWaivers(repo, findings);
  for (const [policy, run] of later) {
    if (run.status !== 'ran' || !policy.afterRun) continue;
    const t0 = performance.now();
    const after = policy.afterRun.bind(policy);
    const raw = await outcomeOf(run, () => after(repo, { findings, uses, ranFully, complete }));
    if ((run.status as PolicyRun['status']) === 'crashed') internalErrors++;
    run.durationMs += Math.round((performance.now() - t0) * 10) / 10;
    internalErrors += locate(repo, policy, run, raw, findings);
  }
  repo.saveCaches();
  const unique = dedupe(findings.sort(compareFindings));
  const stale = req.baseline ? applyBaseline(req.baseline, unique) : undefined;
  for (const r of runs) r.findings = unique.filter((f) => f.policy === r.id).length;
  return {
    root: repo.root,
    findings: unique,
    summary: summarize(unique),
    policies: runs,
    internalErrors,
    durationMs: Math.round(performance.now() - started),
    repo,
    ...(shard ? { shard } : {}),
    // What is gone from the baseline is only known when every file was checked.
    ...(stale && complete ? { baselineStale: stale } : {}),
  };
}

/** Resolves false on the event loop's next turn, after the promise jobs queued so far. */
function nextTurn(): Promise<false> {
  return new Promise((resolve) => setImmediate(() => resolve(false)));
}

/** Runs a check (or an afterRun), recording a skip or a crash on the run. */
async function outcomeOf(run: PolicyRun, check: () => PolicyOutcome | Promise<PolicyOutcome>): Promise<PolicyFinding[]> {
  try {
    const outcome = await check();
    if (isSkip(outcome)) {
      run.status = 'skipped';
      run.reason = outcome.skipped;
      return [];
    }
    if (!Array.isArray(outcome)) throw new Error(`check() returned ${typeof outcome}, not an array of findings`);
    return outcome;
  } catch (e) {
    run.status = 'crashed';
    return [internalError(run.id, e)];
  }
}

/** Locates a policy's raw findings into `out`; returns how many could not be located (internal errors). */
function locate(repo: RepoContext, policy: Policy, run: PolicyRun, raw: PolicyFinding[], out: Finding[]): number {
  let errors = 0;
  // File by file, so each file's parsed documents are rebuilt at most once to locate its findings.
  for (const pf of [...raw].sort((a, b) => cmp(String(a.file), String(b.file)))) {
    try {
      out.push(resolveFinding(repo, policy, pf));
    } catch (e) {
      errors++;
      run.status = 'crashed';
      out.push(resolveFinding(repo, policy, internalError(policy.id, e)));
    }
  }
  return errors;
}

/**
 * What a policy checks in this run: the whole repository, or for a per-file policy the changed files
 * and their dependents (pull-request mode) or its shard's files. A string is why it does not run.
 */
function planScope(
  repo: Repo,
  policy: Policy,
  changed: readonly string[] | undefined,
  shard: { index: number; count: number } | undefined,
): { ctx: RepoContext; full: boolean } | string {
  if (!policy.perFile) {
    if (shard && shard.index !== 1) return `a cross-file policy; it runs in shard 1/${shard.count}`;
    if (changed && policy.unaffected) {
      const why = policy.unaffected(repo, changed);
      if (why !== undefined) return why;
    }
    return { ctx: repo, full: true };
  }
  const perFile = policy.perFile;
  const { files } = perFile;
  if (!changed && !shard) return { ctx: repo, full: true };
  const own = picomatch([...files], { dot: true });
  // From the change itself, so a pull request never walks the whole file list here.
  let targets = changed
    ? [...new Set([...changed, ...(perFile.dependents?.(repo, changed) ?? [])])].filter((f) => own(f) && repo.exists(f))
    : repo.files.filter((f) => own(f));
  if (shard) targets = targets.filter((f) => shardOf(f, shard.count) === shard.index);
  return { ctx: new ScopedRepo(repo, files, new Set(targets)), full: false };
}

function internalError(policyId: string, e: unknown): PolicyFinding {
  const msg = e instanceof Error ? e.message : String(e);
  return {
    file: `policies/${policyId}.ts`,
    line: 1,
    column: 1,
    severity: 'error',
    message: `internal error: policy ${policyId} threw: ${msg.split('\n')[0] ?? msg} — this is a bug in the gate, not in your change; please report it`,
    key: 'internal-error',
  };
}

/** Turns a policy's finding into a complete, located finding. */
export function resolveFinding(repo: RepoContext, policy: Policy, pf: PolicyFinding): Finding {
  if (typeof pf.file !== 'string') throw new Error('a finding needs a file');
  const message = findingMessage(policy, pf);
  let alias: Finding['alias'];
  let docCount: number | undefined;
  let range: Range;
  // The offending text, when the location pins it down: a scalar value, a byte span, an explicit column.
  let subject: string | undefined;
  if (pf.pointer !== undefined) {
    const y = repo.yaml(pf.file);
    if (y) {
      const loc = locatePointer(y, pf.pointer, { doc: pf.doc, at: pf.at });
      range = loc.range;
      if (loc.scalar) subject = rangeText(y.lines, range);
      if (loc.anchor) alias = { name: loc.anchor.name, line: loc.anchor.line };
      if (y.docCount > 1) docCount = y.docCount;
    } else range = point(1, 1);
  } else if (pf.offset !== undefined) {
    const t = repo.read(pf.file);
    range = t.ok ? t.lines.byteRange(pf.offset, pf.endOffset ?? pf.offset) : point(1, 1);
    if (t.ok) subject = subjectText(t.lines, range);
  } else if (pf.line !== undefined) {
    const line = pf.line;
    const column = pf.column ?? 1;
    const t = repo.read(pf.file);
    if (pf.endLine !== undefined || pf.endColumn !== undefined) {
      range = { line, column, endLine: pf.endLine ?? line, endColumn: pf.endColumn ?? column };
    } else {
      range = t.ok ? t.lines.lineRange(line, column) : point(line, column);
    }
    // A bare line number places a finding about the whole file or line; only a column names a span.
    if (t.ok && (pf.column !== undefined || pf.endLine !== undefined)) subject = subjectText(t.lines, range);
  } else range = point(1, 1);
  // A finding placed otherwise in one document of a multi-document YAML file says which one too.
  if (pf.pointer === undefined && pf.doc !== undefined) {
    const y = repo.yaml(pf.file);
    if (y && y.docCount > 1) docCount = y.docCount;
  }
  const severity = pf.severity ?? policy.severity;
  const f: Finding = {
    policy: policy.id,
    severity,
    message,
    file: pf.file,
    ...range,
    docs: policy.docs,
    fingerprint: fingerprint(policy.id, pf, policy.sensitive ? undefined : subject),
  };
  if (pf.messageId !== undefined) f.messageId = pf.messageId;
  if (pf.pointer !== undefined) f.pointer = pf.pointer;
  if (pf.doc !== undefined) f.doc = pf.doc;
  if (docCount !== undefined) f.docCount = docCount;
  if (alias !== undefined) f.alias = alias;
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
 * Identity of a finding that survives unrelated edits: policy, file, what it is about (the
 * policy's key, else the pointer, else the message with its numbers masked) and the offending
 * text itself when the location pins it down. Line numbers never enter it, so lines inserted
 * above or an edit elsewhere in the file keep it; a changed offending value changes it.
 */
export function fingerprint(policy: string, pf: PolicyFinding, subject?: string): string {
  const what =
    pf.key ??
    (pf.pointer !== undefined
      ? `${pf.doc ?? 0}:${pf.pointer}:${pf.at ?? 'value'}`
      : (pf.messageId !== undefined ? `${pf.messageId}:${JSON.stringify(pf.data ?? {})}` : (pf.message ?? '')).replace(/\d+/g, '#'));
  const text = subject === undefined ? '' : `\0${subject.replace(/\s+/g, ' ').trim().slice(0, 4096)}`;
  return createHash('sha256').update(`${policy}\0${pf.file}\0${what}${text}`).digest('hex').slice(0, 32);
}

/** The text a finding points at; for a point (e.g. where a parser stopped), the rest of its line. */
function subjectText(lines: LineIndex, r: Range): string {
  if (r.line === r.endLine && r.column === r.endColumn)
    return Array.from(lines.lineText(r.line))
      .slice(r.column - 1)
      .join('');
  return rangeText(lines, r);
}

/** The source text of a range (columns in code points, end exclusive). */
export function rangeText(lines: LineIndex, r: Range): string {
  const parts: string[] = [];
  for (let l = r.line; l <= r.endLine && l <= lines.lineCount; l++) {
    const cps = Array.from(lines.lineText(l));
    const from = l === r.line ? r.column - 1 : 0;
    const to = l === r.endLine ? r.endColumn - 1 : cps.length;
    parts.push(cps.slice(from, Math.max(from, to)).join(''));
  }
  return parts.join('\n');
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
