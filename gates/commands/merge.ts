import fs from 'node:fs';
import path from 'node:path';
import { prepareArtifacts, writeArtifacts } from '../artifacts/finish.ts';
import { mergedRunInfo } from '../artifacts/run-info.ts';
import { Repo } from '../core/repo.ts';
import { mergeReports, MergeError, type JsonReport } from '../core/merge.ts';
import type { Policy } from '../core/policy.ts';
import { exitCode } from '../core/run.ts';
import { readActionsContext } from '../github/context.ts';
import { markdown } from '../reporters/markdown.ts';
import { checkRun, emit, loadBaseline, parseFormat, reportBaseline, reporterContext, type CheckOptions } from './check.ts';
import { UsageError, type CliIO } from './io.ts';

export interface MergeArgs {
  root?: string;
  format?: string[];
  artifacts?: string;
  'github-check'?: boolean;
  baseline?: string;
  prune?: boolean;
}

/**
 * `gates merge REPORT…`: combines the JSON reports of the shards of one run (`--shard K/N`) into the
 * report of the whole run, then does what `gates check` does with a result: writes gate-report.json,
 * prints every requested format, the job summary and the check run, and exits with the run's code.
 * `--root` is the checkout the shards ran on (for the waivers and inline allows that matched nothing).
 */
export async function merge(files: readonly string[], v: MergeArgs, io: CliIO, policies: readonly Policy[], opts: CheckOptions = {}): Promise<number> {
  if (files.length === 0) throw new UsageError('merge needs the JSON reports to combine: gates merge shard-1.json shard-2.json …');
  const root = path.resolve(io.cwd, v.root ?? '.');
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`--root ${v.root ?? '.'}: no such directory`);
  if (v.prune && v.baseline === undefined) throw new UsageError('--prune needs --baseline FILE');
  const outputs = (v.format?.length ? v.format : ['stylish']).map(parseFormat);
  const reports = files.map((f) => readReport(path.resolve(io.cwd, f)));
  const artifactsDir = path.resolve(root, v.artifacts ?? 'artifacts');
  const baseline = v.baseline === undefined ? undefined : loadBaseline(root, path.resolve(io.cwd, v.baseline));
  let result;
  try {
    result = await mergeReports(reports, { root, artifactsDir, policies, ...(baseline ? { baseline } : {}) });
  } catch (e) {
    if (e instanceof MergeError) throw new UsageError(e.message);
    throw e;
  }
  const actions = readActionsContext(io.env);
  const ctx = reporterContext(io, actions, undefined, 'all', artifactsDir);
  // The artifacts of the whole run, from the merged findings and the checkout the shards ran on.
  result.repo = new Repo({ root, artifactsDir });
  const run = mergedRunInfo(reports.map((r) => r.run));
  const artifacts = await prepareArtifacts(result, { env: io.env, startedAt: new Date(), links: ctx.links, run });
  emit(result, outputs, io, ctx);
  if (io.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(io.env.GITHUB_STEP_SUMMARY, markdown(result, { ...ctx, color: false }));
  if (v['github-check']) {
    const printed = outputs.some((o) => o.name === 'github' && !o.file);
    await checkRun(result, ctx, actions, io, printed, opts.checkTuning);
  }
  if (baseline) reportBaseline(baseline, result, io, Boolean(v.prune));
  const written = writeArtifacts(artifactsDir, artifacts, result.missingArtifacts);
  for (const e of written.errors)
    io.stderr(`gates: internal error: ${e.message}; ${e.artifact} was not written — this is a bug in the gate, please report it\n`);
  return written.errors.length ? 2 : exitCode(result);
}

function readReport(file: string): JsonReport {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(e as Error).message})`}`);
  }
  const r = data as Partial<JsonReport>;
  if (!Array.isArray(r?.findings) || typeof r.summary !== 'object')
    throw new UsageError(`${file}: not a gate report (gates check --format json:FILE writes one)`);
  return r as JsonReport;
}
