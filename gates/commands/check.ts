import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { prepareArtifacts, writeArtifacts } from '../artifacts/finish.ts';
import { RUN_ID } from '../artifacts/run-info.ts';
import { ENGINE_DIR, VALIDATOR_CACHE_DIR, PARSE_CACHE_DIR } from '../core/artifacts.ts';
import { isInside } from '../core/paths.ts';
import type { Policy } from '../core/policy.ts';
import { BaselineError, pruneBaseline, readBaseline, writeBaseline, type Baseline } from '../core/baseline.ts';
import { exitCode, runGates, type GateResult } from '../core/run.ts';
import { parseShard } from '../core/scope.ts';
import { REPLAY_CACHE_DIR } from '../db/replay-cache.ts';
import { replayNote } from '../db/replay.ts';
import type { CheckRunTuning } from '../github/checks.ts';
import { readActionsContext, type ActionsContext } from '../github/context.ts';
import { ANNOTATE_MODES, type AnnotateMode } from '../github/diff.ts';
import { pullRequestChanges, type PullRequestChanges } from '../github/pr.ts';
import { checkRunReport, github } from '../reporters/github.ts';
import { reporters } from '../reporters/index.ts';
import { markdown } from '../reporters/markdown.ts';
import { timing } from '../reporters/timing.ts';
import type { ReporterContext } from '../reporters/types.ts';
import { UsageError, unknownPolicy, type CliIO } from './io.ts';

/** The options of `gates check`, as parsed from the command line. */
export interface CheckArgs {
  root?: string;
  format?: string[];
  only?: string[];
  skip?: string[];
  artifacts?: string;
  base?: string;
  'app-dir'?: string;
  changed?: boolean;
  annotate?: string;
  'github-check'?: boolean;
  timing?: boolean;
  'module-status'?: string;
  publish?: boolean;
  'publish-url'?: string;
  'run-id'?: string;
  baseline?: string;
  prune?: boolean;
  shard?: string;
  'no-cache'?: boolean;
  'no-template'?: boolean;
}

/** Knobs for tests: shorter waits for the check-run client. */
export interface CheckOptions {
  checkTuning?: CheckRunTuning;
  /** Folder of the replay cache (default `REPLAY_CACHE_DIR`). */
  replayCacheDir?: string;
}

/** `gates check`: runs the policies, writes the report artifact and every requested output. */
export async function check(v: CheckArgs, io: CliIO, policies: readonly Policy[], opts: CheckOptions = {}): Promise<number> {
  const root = path.resolve(io.cwd, v.root ?? '.');
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`--root ${v.root ?? '.'}: no such directory`);
  const outputs = (v.format?.length ? v.format : ['stylish']).map(parseFormat);
  const selected = select(policies, v.only, v.skip);
  const artifactsDir = path.resolve(root, v.artifacts ?? 'artifacts');
  const actions = readActionsContext(io.env);
  const base = v.base ?? (io.env.GITHUB_ACTIONS === 'true' ? actions.base : undefined);
  const annotate = parseAnnotate(v.annotate, Boolean(v.changed));
  if ((v.changed || annotate !== 'all') && base === undefined) {
    throw new UsageError(`${v.changed ? '--changed' : `--annotate ${annotate}`} needs --base REF (in a GitHub Actions pull request it defaults to the base)`);
  }
  const shard = v.shard === undefined ? undefined : parseShard(v.shard);
  if (v.shard !== undefined && !shard) throw new UsageError(`--shard ${v.shard}: expected K/N with 1 ≤ K ≤ N ≤ 256, e.g. --shard 2/4`);
  if (shard && v.changed) throw new UsageError('--shard splits a whole run; a pull-request run (--changed) is already small — use one or the other');
  if (v.prune && v.baseline === undefined) throw new UsageError('--prune needs --baseline FILE');
  if (v.prune && (shard || v.changed))
    throw new UsageError('--prune needs a run over every file (no --changed, no --shard): only then is it known what is gone');
  const baseline = v.baseline === undefined ? undefined : loadBaseline(root, path.resolve(io.cwd, v.baseline));
  const pr = base !== undefined && (v.changed || annotate !== 'all') ? pullRequestChanges(root, base) : undefined;
  const changedFiles = v.changed && pr ? affectingChanges(root, pr, io) : undefined;
  const publishUrl = v['publish-url'] ?? (v.publish ? io.env.DATABASE_URL || undefined : undefined);
  if (v.publish && !publishUrl) throw new UsageError('--publish needs DATABASE_URL or --publish-url URL');
  if (v['run-id'] !== undefined && !RUN_ID.test(v['run-id'])) throw new UsageError(`--run-id ${v['run-id']}: expected a lowercase UUID`);
  const moduleStatusDir = v['module-status'] === undefined ? undefined : path.resolve(root, v['module-status']);
  if (moduleStatusDir !== undefined && (!isInside(root, moduleStatusDir) || !fs.existsSync(moduleStatusDir))) {
    throw new UsageError(
      `--module-status ${v['module-status'] ?? moduleStatusDir}: no such folder inside the root (findings point at its lines, so it must be in the repository)`,
    );
  }
  const startedAt = new Date();
  const result = await runGates({
    root,
    artifactsDir,
    policies: selected,
    policyIds: policies.map((p) => p.id),
    ...(base !== undefined ? { base } : {}),
    ...(changedFiles !== undefined && pr ? { changedFiles, changedFrom: pr.mergeBase } : {}),
    ...(shard ? { shard } : {}),
    ...(baseline ? { baseline } : {}),
    ...(v['app-dir'] !== undefined ? { appDir: v['app-dir'] } : {}),
    ...(io.env.DATABASE_URL ? { databaseUrl: io.env.DATABASE_URL } : {}),
    ...(v['no-cache'] ? {} : { replayCache: opts.replayCacheDir ?? REPLAY_CACHE_DIR, schemaCache: VALIDATOR_CACHE_DIR, parseCache: PARSE_CACHE_DIR }),
    ...(v['no-template'] ? { replayTemplates: false } : {}),
    ...(moduleStatusDir !== undefined ? { moduleStatusDir } : {}),
  });
  const note = result.repo ? replayNote(result.repo) : undefined;
  if (note) io.stderr(`gates: migrations replay: ${note}\n`);
  const ctx = reporterContext(io, actions, pr, annotate, artifactsDir);
  const artifacts = await prepareArtifacts(result, { env: io.env, runId: v['run-id'], base, headSha: actions.headSha, startedAt, links: ctx.links });
  emit(result, outputs, io, ctx);
  if (io.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(io.env.GITHUB_STEP_SUMMARY, markdown(result, { ...ctx, color: false }));
  if (v['github-check']) {
    const printed = outputs.some((o) => o.name === 'github' && !o.file);
    await checkRun(result, ctx, actions, io, printed, opts.checkTuning);
  }
  if (v.timing) io.stderr(timing(result, { color: false }));
  if (baseline) reportBaseline(baseline, result, io, Boolean(v.prune));
  // The artifacts after every report: a broken one is an internal error, but the reports are out.
  let code: number = exitCode(result);
  const written = writeArtifacts(artifactsDir, artifacts, result.missingArtifacts);
  for (const e of written.errors)
    io.stderr(`gates: internal error: ${e.message}; ${e.artifact} was not written — this is a bug in the gate, please report it\n`);
  if (written.errors.length) code = 2;
  if (publishUrl) {
    if (!written.report) {
      io.stderr('gates: --publish: not published, because gate-report.json broke its contract\n');
      code = 2;
    } else code = Math.max(code, await publish(publishUrl, written.report, io));
  }
  return code;
}

/** `--publish`: the written report into the ops schema; a failure says why and exits 2. */
async function publish(url: string, report: object, io: CliIO): Promise<number> {
  const { publishReport, PublishError, describeUrl } = await import('../publish/publish.ts');
  try {
    const out = await publishReport(url, report as Parameters<typeof publishReport>[1]);
    const id = (report as { run: { id: string } }).run.id;
    io.stderr(
      out.stored
        ? `gates: published run ${id} to ${describeUrl(url)}: ${out.findings} findings (${out.new} new, ${out.resolved} resolved since ${out.previousRun ?? 'no earlier run of this ref'})\n`
        : `gates: run ${id} is already published on ${describeUrl(url)}; it is stored once\n`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof PublishError)) throw e;
    io.stderr(`gates: ${e.message}\n`);
    return 2;
  }
}

/** Reads `--baseline FILE` (named root-relative when it is in the repository); a bad file is a usage error that says what to do. */
export function loadBaseline(root: string, file: string): Baseline {
  const rel = path.relative(root, file);
  const name = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
  try {
    return readBaseline(file, name);
  } catch (e) {
    if (e instanceof BaselineError) throw new UsageError(e.message);
    throw e;
  }
}

/** Says how many findings the baseline held back and which of its entries are gone; `--prune` drops those. */
export function reportBaseline(baseline: Baseline, result: GateResult, io: CliIO, prune: boolean): void {
  const file = path.resolve(result.root, baseline.path);
  const held = result.findings.filter((f) => f.suppressed?.kind === 'baseline').length;
  io.stderr(`gates: ${held} ${held === 1 ? 'finding' : 'findings'} baselined by ${baseline.path}\n`);
  const stale = result.baselineStale;
  if (!stale) {
    io.stderr(`gates: which baseline entries are gone is known only from a run over every file\n`);
    return;
  }
  if (stale.length === 0) return;
  const gone = stale.reduce((n, s) => n + s.gone, 0);
  for (const s of stale) io.stderr(`gates: baseline entry gone: ${s.file} ${s.policy} ${s.fingerprint}${s.gone > 1 ? ` (×${s.gone})` : ''}\n`);
  if (prune) {
    writeBaseline(file, pruneBaseline(baseline, stale));
    io.stderr(`gates: pruned ${gone} ${gone === 1 ? 'finding that is' : 'findings that are'} gone from ${baseline.path}\n`);
  } else
    io.stderr(
      `gates: ${gone} baselined ${gone === 1 ? 'finding is' : 'findings are'} gone; run again with --prune to drop ${gone === 1 ? 'it' : 'them'} from ${baseline.path}\n`,
    );
}

export function parseFormat(spec: string): { name: string; file?: string } {
  const i = spec.indexOf(':');
  const name = i === -1 ? spec : spec.slice(0, i);
  const file = i === -1 ? undefined : spec.slice(i + 1);
  if (!(name in reporters)) {
    throw new UsageError(`unknown format \`${name}\`; formats: ${Object.keys(reporters).join(', ')}`);
  }
  if (file === '') throw new UsageError(`--format ${spec}: the file after \`:\` is empty`);
  return file === undefined ? { name } : { name, file };
}

export function emit(result: GateResult, outputs: Array<{ name: string; file?: string }>, io: CliIO, ctx: ReporterContext): void {
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

export function reporterContext(
  io: CliIO,
  actions: ActionsContext,
  pr: PullRequestChanges | undefined,
  annotate: AnnotateMode,
  artifactsDir: string,
): ReporterContext {
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
export async function checkRun(
  result: GateResult,
  ctx: ReporterContext,
  actions: ActionsContext,
  io: CliIO,
  printed: boolean,
  tuning?: CheckRunTuning,
): Promise<void> {
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
  const { publishCheckRun } = await import('../github/checks.ts');
  const outcome = await publishCheckRun(
    {
      apiUrl: actions.apiUrl,
      token: actions.token,
      owner,
      repo,
      headSha: actions.headSha,
      name: 'OdooOps Gates',
      ...(actions.runUrl ? { detailsUrl: actions.runUrl } : {}),
    },
    checkRunReport(result, ctx),
    tuning,
    (line) => io.stderr(`${line}\n`),
  );
  if (outcome.ok) {
    io.stderr(
      `gates: check run ${outcome.id} ${outcome.reused ? 'updated' : 'created'} on ${actions.headSha.slice(0, 12)} with ${outcome.annotations} annotations\n`,
    );
  } else if (outcome.forbidden) {
    fallback(`the token cannot write check runs (403: ${outcome.message}; a pull request from a fork gets a read-only token)`);
  } else {
    fallback(`the check run could not be published (${outcome.status ?? 'no response'}: ${outcome.message})`);
  }
}

/** Resolves --only/--skip lists (ids or areas); an unknown name is a usage error, never a silent no-op. */
export function select(policies: readonly Policy[], only?: string[], skip?: string[]): Policy[] {
  const names = (lists?: string[]) =>
    (lists ?? [])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
  const matches = (p: Policy, n: string) => p.id === n || p.id.startsWith(`${n.replace(/\/?\*?$/, '')}/`);
  const ids = policies.map((p) => p.id);
  const known = (n: string) => {
    if (!policies.some((p) => matches(p, n))) throw unknownPolicy('policy or area', n, ids);
  };
  const o = names(only);
  const s = names(skip);
  o.forEach(known);
  s.forEach(known);
  return policies.filter((p) => (o.length === 0 || o.some((n) => matches(p, n))) && !s.some((n) => matches(p, n)));
}
