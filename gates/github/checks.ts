import type { Finding, Severity } from '../core/finding.ts';
import { couldNotRun, type GateResult } from '../core/run.ts';
import { redact } from './context.ts';
import { findingText } from '../reporters/util.ts';

/** GitHub takes at most 50 annotations per check-run request. */
const ANNOTATIONS_PER_REQUEST = 50;
/** `output.summary` and `output.text` are capped at 65,535 characters. */
export const CHECK_SUMMARY_MAX = 65_535;
const TITLE_MAX = 255;
/** An annotation's message is capped at 64 KB; kept in UTF-8 bytes to be safe. */
const MESSAGE_MAX_BYTES = 64 * 1024 - 1;

export type Conclusion = 'failure' | 'neutral' | 'success';

/**
 * failure when the gate fails (errors or a crashed policy); neutral when only warnings or notices
 * remain (GitHub treats neutral as passing for required checks, yet shows it apart); success when clean.
 */
export function conclusionOf(result: GateResult): Conclusion {
  if (result.internalErrors > 0 || result.summary.errors > 0) return 'failure';
  // Suppressed findings (waivers, allows, the baseline) are accepted: they never make it neutral.
  // A policy that could not run has not passed: never a green check for it.
  return result.findings.some((f) => !f.suppressed) || couldNotRun(result).length > 0 ? 'neutral' : 'success';
}

export interface CheckRunTarget {
  /** REST base, `GITHUB_API_URL`. */
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  /** The pull request's head commit. */
  headSha: string;
  /** The check run's name; a re-run for the same commit finds its run by it. */
  name: string;
  detailsUrl?: string;
}

/** Bounds of the client; the defaults are GitHub's guidance, tests shrink the waits. */
export interface CheckRunTuning {
  /** Retries of a 5xx or network failure (plugin-retry). */
  retries?: number;
  /** Base of the retry back-off in ms: waits (n+1)² × this. */
  retryBaseMs?: number;
  /** Retries after a rate limit (plugin-throttling), each after the server's `retry-after`. */
  rateLimitRetries?: number;
  /** Milliseconds per second of `retry-after` (1000; tests use less). */
  retryAfterUnitMs?: number;
  /** A `retry-after` longer than this (seconds) is not waited for. */
  maxRetryAfterSeconds?: number;
  /** Minimum spacing of write requests (GitHub asks for one second). */
  writeIntervalMs?: number;
  /** At most this many annotations per run; the rest stay in the summary and reports. */
  maxAnnotations?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
}

export interface CheckRunReport {
  conclusion: Conclusion;
  title: string;
  summary: string;
  /** In the order to send them (most important first). */
  annotations: readonly Finding[];
}

export type CheckRunOutcome =
  { ok: true; id: number; reused: boolean; annotations: number; batches: number } | { ok: false; status?: number; forbidden: boolean; message: string };

const levels: Record<Severity, 'failure' | 'warning' | 'notice'> = { error: 'failure', warning: 'warning', notice: 'notice' };

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  title: string;
  message: string;
}

/** A check-run annotation: columns only on single-line ranges (end inclusive), title and message within GitHub's caps. */
export function toAnnotation(f: Finding): Annotation {
  const a: Annotation = {
    path: f.file,
    start_line: f.line,
    end_line: Math.max(f.line, f.endLine),
    annotation_level: levels[f.severity],
    title: truncateChars(f.policy, TITLE_MAX),
    message: truncateBytes(findingText(f), MESSAGE_MAX_BYTES),
  };
  if (f.endLine === f.line) {
    a.start_column = f.column;
    a.end_column = Math.max(f.column, f.endColumn - 1);
  }
  return a;
}

/**
 * Publishes the result as one check run on the head commit: finds the run of the same name (a
 * re-run) or creates one in progress, sends annotations in serial batches of 50, then completes
 * it. Never throws: a failure comes back as an outcome, so no GitHub trouble changes the verdict.
 */
export async function publishCheckRun(
  target: CheckRunTarget,
  report: CheckRunReport,
  tuning: CheckRunTuning = {},
  log: (line: string) => void = () => {},
): Promise<CheckRunOutcome> {
  const say = (s: string) => log(redact(s, [target.token]));
  try {
    const octokit = await client(target, tuning, say);
    const timeout = tuning.timeoutMs ?? 30_000;
    const request = () => ({ signal: AbortSignal.timeout(timeout) });
    const { owner, repo } = target;
    const listed = await octokit.rest.checks.listForRef({
      owner,
      repo,
      ref: target.headSha,
      check_name: target.name,
      filter: 'all',
      per_page: 100,
      request: request(),
    });
    const previous = listed.data.check_runs.filter((r) => r.name === target.name).sort((a, b) => b.id - a.id)[0];
    const output = { title: truncateChars(report.title, TITLE_MAX), summary: truncateChars(report.summary, CHECK_SUMMARY_MAX) };
    let id: number;
    if (previous) {
      id = previous.id;
      await octokit.rest.checks.update({ owner, repo, check_run_id: id, status: 'in_progress', ...details(target), request: request() });
    } else {
      const created = await octokit.rest.checks.create({
        owner,
        repo,
        name: target.name,
        head_sha: target.headSha,
        status: 'in_progress',
        ...details(target),
        request: request(),
      });
      id = created.data.id;
    }
    let annotations = report.annotations.slice(0, tuning.maxAnnotations ?? 1000).map(toAnnotation);
    if (previous) {
      // GitHub appends annotations and cannot delete them: send a re-run only what the run lacks.
      const sent = await octokit.paginate(octokit.rest.checks.listAnnotations, { owner, repo, check_run_id: id, per_page: 100, request: request() });
      const have = new Set(sent.map((a) => annotationKey({ ...a, annotation_level: a.annotation_level ?? '', message: a.message ?? '' })));
      annotations = annotations.filter((a) => !have.has(annotationKey(a)));
    }
    let batches = 0;
    for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
      const batch = annotations.slice(i, i + ANNOTATIONS_PER_REQUEST);
      await octokit.rest.checks.update({ owner, repo, check_run_id: id, output: { ...output, annotations: batch }, request: request() });
      batches++;
    }
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: id,
      status: 'completed',
      conclusion: report.conclusion,
      completed_at: new Date().toISOString(),
      output,
      request: request(),
    });
    return { ok: true, id, reused: previous !== undefined, annotations: annotations.length, batches };
  } catch (e) {
    const status = typeof e === 'object' && e !== null && 'status' in e && typeof e.status === 'number' ? e.status : undefined;
    const message = redact(e instanceof Error ? e.message : String(e), [target.token]).split('\n')[0] ?? '';
    return { ok: false, ...(status !== undefined ? { status } : {}), forbidden: status === 403 && !/rate limit/i.test(message), message };
  }
}

function annotationKey(a: { path: string; start_line: number; end_line: number; annotation_level: string; message: string }): string {
  return [a.path, a.start_line, a.end_line, a.annotation_level, a.message].join('\0');
}

function details(target: CheckRunTarget): { details_url?: string } {
  return target.detailsUrl ? { details_url: target.detailsUrl } : {};
}

/** Octokit with bounded retries and rate-limit handling; loaded lazily to keep start-up fast. */
async function client(target: CheckRunTarget, tuning: CheckRunTuning, say: (s: string) => void) {
  const [{ Octokit }, { retry }, { throttling }, { default: Bottleneck }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
    import('bottleneck'),
  ]);
  const rateLimitRetries = tuning.rateLimitRetries ?? 2;
  const maxWait = tuning.maxRetryAfterSeconds ?? 120;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const again = retryCount < rateLimitRetries && retryAfter <= maxWait;
      say(`gates: GitHub ${kind} on ${options.method} ${options.url}; ${again ? `retrying after ${retryAfter} s` : 'giving up'}`);
      return again;
    };
  const Client = Octokit.plugin(retry, throttling);
  return new Client({
    auth: target.token,
    baseUrl: target.apiUrl,
    userAgent: 'odooops-gates',
    // Failed requests are reported once, by the outcome; octokit's per-request error lines would repeat them.
    log: { debug: () => {}, info: () => {}, warn: (m: string) => say(`gates: GitHub: ${m}`), error: () => {} },
    retry: { retries: tuning.retries ?? 3, retryAfterBaseValue: tuning.retryBaseMs ?? 1000 },
    throttle: {
      id: `gates-${target.owner}-${target.repo}`,
      retryAfterBaseValue: tuning.retryAfterUnitMs ?? 1000,
      fallbackSecondaryRateRetryAfter: 60,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: tuning.writeIntervalMs ?? 1000 }),
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
  });
}

function truncateChars(s: string, max: number): string {
  const cps = [...s];
  return cps.length <= max ? s : `${cps.slice(0, max - 1).join('')}…`;
}

function truncateBytes(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let out = '';
  let used = 3; // the ellipsis
  for (const c of s) {
    const n = Buffer.byteLength(c, 'utf8');
    if (used + n > max) break;
    out += c;
    used += n;
  }
  return `${out}…`;
}
