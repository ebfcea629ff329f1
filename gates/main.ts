import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import picomatch from 'picomatch';
import { policies as allPolicies } from '../policies/index.ts';
import { ENGINE_DIR, writeArtifact } from './core/artifacts.ts';
import type { Policy } from './core/policy.ts';
import { exitCode, runGates, type GateResult } from './core/run.ts';
import { closest } from './core/schema.ts';
import { ANNOTATE_MODES, type AnnotateMode } from './github/diff.ts';
import { readActionsContext, type ActionsContext } from './github/context.ts';
import { HistoryError, pullRequestChanges, type PullRequestChanges } from './github/pr.ts';
import type { CheckRunTuning } from './github/checks.ts';
import { planAnnotations } from './reporters/annotations.ts';
import { github } from './reporters/github.ts';
import { toJsonReport } from './reporters/json.ts';
import { reporters } from './reporters/index.ts';
import { markdown } from './reporters/markdown.ts';
import type { ReporterContext } from './reporters/types.ts';

const USAGE = `Usage: gates <command> [options]

Commands:
  check              run the gates (default)
  list               print every policy: id, severity, title, docs
  explain <id>       print a policy's docs page

Options for check:
  --root DIR         repository to check (default: the current directory)
  --format F[:FILE]  stylish (default), json, sarif, junit, markdown or github (workflow
                     commands); repeatable, each to stdout or its own FILE
  --only IDS         run only these policies (comma-separated ids or areas, e.g. ssot)
  --skip IDS         skip these policies
  --artifacts DIR    where gate-report.json goes (default: artifacts/ under the root)
  --base REF         git ref of the pull request's base (default in GitHub Actions: the
                     pull request's base commit from the event payload)
  --changed          pull-request mode: run only the policies the change affects, measured
                     against the merge base of --base and HEAD (needs full history)
  --annotate MODE    which findings become annotations: added (default with --changed),
                     diff_context, file or all (default); the rest stay in the reports
  --github-check     publish a GitHub check run with annotations on the pull request's head
                     (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL);
                     falls back to workflow commands when it cannot be written
  --app-dir PATH     the console's Next.js app, for route coverage
  --timing           print how long each policy took (stderr)

When GITHUB_STEP_SUMMARY is set, the markdown summary is appended to it.
Exit codes: 0 clean, 1 error-level findings, 2 usage, history or internal error. No GitHub
failure changes the exit code.`;

export class UsageError extends Error {}

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  isTTY: boolean;
}

/** Knobs for tests: shorter waits for the check-run client. */
export interface CliOptions {
  checkTuning?: CheckRunTuning;
}

export async function main(argv: string[], io: CliIO, policies: readonly Policy[] = allPolicies, opts: CliOptions = {}): Promise<number> {
  try {
    return await dispatch(argv, io, policies, opts);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`gates: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof HistoryError) {
      io.stderr(`gates: ${e.message}\n`);
      return 2;
    }
    io.stderr(`gates: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

async function dispatch(argv: string[], io: CliIO, policies: readonly Policy[], opts: CliOptions): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        root: { type: 'string' },
        format: { type: 'string', multiple: true },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        artifacts: { type: 'string' },
        base: { type: 'string' },
        'app-dir': { type: 'string' },
        changed: { type: 'boolean' },
        annotate: { type: 'string' },
        'github-check': { type: 'boolean' },
        timing: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const [command = 'check', ...rest] = positionals;
  if (command === 'list') return list(io, policies);
  if (command === 'explain') return explain(io, policies, rest[0]);
  if (command !== 'check') throw new UsageError(`unknown command \`${command}\``);
  if (rest.length) throw new UsageError(`unexpected argument \`${rest[0]}\``);

  const root = path.resolve(io.cwd, v.root ?? '.');
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`--root ${v.root}: no such directory`);
  const outputs = (v.format?.length ? v.format : ['stylish']).map(parseFormat);
  const selected = select(policies, v.only, v.skip);
  const artifactsDir = path.resolve(root, v.artifacts ?? 'artifacts');
  const actions = readActionsContext(io.env);
  const base = v.base ?? (io.env.GITHUB_ACTIONS === 'true' ? actions.base : undefined);
  const annotate = parseAnnotate(v.annotate, Boolean(v.changed));
  if ((v.changed || annotate !== 'all') && base === undefined) {
    throw new UsageError(`${v.changed ? '--changed' : `--annotate ${annotate}`} needs --base REF (in a GitHub Actions pull request it defaults to the base)`);
  }
  const pr = base !== undefined && (v.changed || annotate !== 'all') ? pullRequestChanges(root, base) : undefined;
  const changedFiles = v.changed && pr ? affectingChanges(root, pr, io) : undefined;
  const result = await runGates({
    root,
    artifactsDir,
    policies: selected,
    ...(base !== undefined ? { base } : {}),
    ...(changedFiles !== undefined ? { changedFiles } : {}),
    ...(changedFiles !== undefined && pr ? { diff: pr.diff } : {}),
    ...(v['app-dir'] !== undefined ? { appDir: v['app-dir'] } : {}),
    ...(io.env.DATABASE_URL ? { databaseUrl: io.env.DATABASE_URL } : {}),
  });
  writeArtifact(artifactsDir, 'gate-report', toJsonReport(result));
  const ctx = reporterContext(io, actions, pr, annotate, artifactsDir);
  emit(result, outputs, io, ctx);
  if (io.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(io.env.GITHUB_STEP_SUMMARY, markdown(result, { ...ctx, color: false }));
  if (v['github-check']) {
    const printed = outputs.some((o) => o.name === 'github' && !o.file);
    await checkRun(result, ctx, actions, io, printed, opts.checkTuning);
  }
  if (v.timing) io.stderr(timing(result));
  return exitCode(result);
}

function parseFormat(spec: string): { name: string; file?: string } {
  const i = spec.indexOf(':');
  const name = i === -1 ? spec : spec.slice(0, i);
  const file = i === -1 ? undefined : spec.slice(i + 1);
  if (!(name in reporters)) {
    throw new UsageError(`unknown format \`${name}\`; formats: ${Object.keys(reporters).join(', ')}`);
  }
  if (file === '') throw new UsageError(`--format ${spec}: the file after \`:\` is empty`);
  return file === undefined ? { name } : { name, file };
}

function emit(result: GateResult, outputs: Array<{ name: string; file?: string }>, io: CliIO, ctx: ReporterContext): void {
  for (const o of outputs) {
    const reporter = reporters[o.name];
    if (!reporter) continue;
    const color = !o.file && io.isTTY && !io.env.NO_COLOR;
    const text = reporter(result, { ...ctx, color });
    if (o.file) {
      const file = path.resolve(io.cwd, o.file);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    } else io.stdout(text);
  }
}

function parseAnnotate(value: string | undefined, changed: boolean): AnnotateMode {
  if (value === undefined) return changed ? 'added' : 'all';
  const mode = ANNOTATE_MODES.find((m) => m === value);
  if (!mode) throw new UsageError(`--annotate ${value}: expected one of ${ANNOTATE_MODES.join(', ')}`);
  return mode;
}

/** Files whose change can alter any policy's verdict: the engine itself, when it checks its own repository. */
const ENGINE_FILES = picomatch(['gates/**', 'policies/**/*.ts', 'package.json', 'package-lock.json'], { dot: true, ignore: ['**/__fixtures__/**'] });

/** The changed files for the runner; undefined (a full run) when the change touches the engine. */
function affectingChanges(root: string, pr: PullRequestChanges, io: CliIO): string[] | undefined {
  if (path.resolve(root) === path.resolve(ENGINE_DIR)) {
    const engine = pr.changedFiles.find((f) => ENGINE_FILES(f));
    if (engine) {
      io.stderr(`gates: the change touches the gate engine (${engine}); running every policy\n`);
      return undefined;
    }
  }
  return pr.changedFiles;
}

function reporterContext(io: CliIO, actions: ActionsContext, pr: PullRequestChanges | undefined, annotate: AnnotateMode, artifactsDir: string): ReporterContext {
  const report = path.relative(io.cwd, path.join(artifactsDir, 'gate-report.json')) || 'gate-report.json';
  const inActions = io.env.GITHUB_ACTIONS === 'true';
  const ctx: ReporterContext = {
    color: false,
    annotate,
    fullReport: inActions ? `the job summary and ${report} (uploaded with the run's artifacts)` : report,
  };
  if (pr) ctx.diff = pr.diff;
  if (inActions && actions.serverUrl && actions.repository && actions.headSha) {
    ctx.links = { serverUrl: actions.serverUrl, repository: actions.repository, sha: actions.headSha };
  }
  return ctx;
}

/** Publishes the check run; on any failure, one line says so and workflow commands carry the annotations. */
async function checkRun(result: GateResult, ctx: ReporterContext, actions: ActionsContext, io: CliIO, printed: boolean, tuning?: CheckRunTuning): Promise<void> {
  const fallback = (why: string) => {
    io.stderr(`gates: ${why}; reporting through workflow commands and the job summary instead\n`);
    if (!printed) io.stdout(github(result, ctx));
  };
  const [owner, repo] = (actions.repository ?? '').split('/');
  const missing = [
    !actions.token && 'GITHUB_TOKEN',
    !(owner && repo) && 'GITHUB_REPOSITORY',
    !actions.headSha && 'a head commit (GITHUB_EVENT_PATH or GITHUB_SHA)',
  ].filter(Boolean);
  if (!actions.token || !owner || !repo || !actions.headSha) return fallback(`--github-check needs ${missing.join(', ')}`);
  const { publishCheckRun, conclusionOf, CHECK_SUMMARY_MAX } = await import('./github/checks.ts');
  const { errors, warnings, notices } = result.summary;
  const outcome = await publishCheckRun(
    { apiUrl: actions.apiUrl, token: actions.token, owner, repo, headSha: actions.headSha, name: 'OdooOps Gates', ...(actions.runUrl ? { detailsUrl: actions.runUrl } : {}) },
    {
      conclusion: conclusionOf(result),
      title: `${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}, ${notices} ${notices === 1 ? 'notice' : 'notices'}`,
      summary: markdown(result, { ...ctx, maxBytes: CHECK_SUMMARY_MAX }),
      annotations: planAnnotations(result.findings, ctx).annotate,
    },
    tuning,
    (line) => io.stderr(`${line}\n`),
  );
  if (outcome.ok) {
    io.stderr(`gates: check run ${outcome.id} ${outcome.reused ? 'updated' : 'created'} on ${actions.headSha.slice(0, 12)} with ${outcome.annotations} annotations\n`);
  } else if (outcome.forbidden) {
    fallback(`the token cannot write check runs (403: ${outcome.message}; a pull request from a fork gets a read-only token)`);
  } else {
    fallback(`the check run could not be published (${outcome.status ?? 'no response'}: ${outcome.message})`);
  }
}

/** Resolves --only/--skip lists (ids or areas); an unknown name is a usage error, never a silent no-op. */
function select(policies: readonly Policy[], only?: string[], skip?: string[]): Policy[] {
  const names = (lists?: string[]) => (lists ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const matches = (p: Policy, n: string) => p.id === n || p.id.startsWith(`${n.replace(/\/?\*?$/, '')}/`);
  const check = (n: string) => {
    if (!policies.some((p) => matches(p, n))) {
      const guess = closest(n, policies.map((p) => p.id));
      throw new UsageError(`no policy or area \`${n}\`${guess ? ` — did you mean \`${guess}\`?` : ''}; see \`gates list\``);
    }
  };
  const o = names(only);
  const s = names(skip);
  o.forEach(check);
  s.forEach(check);
  return policies.filter((p) => (o.length === 0 || o.some((n) => matches(p, n))) && !s.some((n) => matches(p, n)));
}

function list(io: CliIO, policies: readonly Policy[]): number {
  const w = Math.max(...policies.map((p) => p.id.length));
  for (const p of policies) io.stdout(`${p.id.padEnd(w)}  ${p.severity.padEnd(7)}  ${p.title}  (${p.docs})\n`);
  return 0;
}

function explain(io: CliIO, policies: readonly Policy[], id: string | undefined): number {
  if (!id) throw new UsageError('explain needs a policy id');
  const p = policies.find((x) => x.id === id);
  if (!p) {
    const guess = closest(id, policies.map((x) => x.id));
    throw new UsageError(`no policy \`${id}\`${guess ? ` — did you mean \`${guess}\`?` : ''}; see \`gates list\``);
  }
  const file = path.join(ENGINE_DIR, p.docs);
  if (!fs.existsSync(file)) throw new Error(`policy ${id} has no docs page at ${p.docs}`);
  io.stdout(`${p.id} (${p.severity}): ${p.title}\n\n${fs.readFileSync(file, 'utf8')}`);
  return 0;
}

function timing(result: GateResult): string {
  const rows = [...result.policies].sort((a, b) => b.durationMs - a.durationMs);
  const w = Math.max(...rows.map((r) => r.id.length), 6);
  const lines = rows.map((r) => `${r.id.padEnd(w)}  ${r.status === 'skipped' ? 'skipped' : `${r.durationMs.toFixed(1)} ms`}`);
  return `${'policy'.padEnd(w)}  time\n${lines.join('\n')}\ntotal ${result.durationMs} ms\n`;
}
