import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ENGINE_DIR } from '../core/artifacts.ts';
import { gitHead } from '../core/git.ts';

/** Who, what and when of one gate run: the `run` of gate-report.json and the row of ops.advisor_runs. */
export interface RunInfo {
  /** UUID; the same run published twice is stored once. */
  id: string;
  /** `owner/name`, or null when unknown (a local run outside GitHub). */
  repository: string | null;
  /** The checked commit (full SHA), or null outside a git work tree. */
  commit: string | null;
  /** The base ref of a pull-request run, or null. */
  base: string | null;
  /** `refs/heads/main`, `refs/pull/7/merge` …, or null (detached, no git). */
  ref: string | null;
  /** `GITHUB_EVENT_NAME` (`pull_request`, `schedule`, `workflow_dispatch` …), or `local`. */
  event: string;
  started_at: string;
  duration_ms: number;
  engine: { name: string; version: string };
}

export const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The engine's name and version (its package.json). */
export function engineVersion(): { name: string; version: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(ENGINE_DIR, 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

/** A UUID (version 5 layout) derived from a name, so a re-run of one workflow run keeps its id. */
export function uuidFromName(name: string): string {
  const h = createHash('sha1').update(`odooops-gates:${name}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface RunInfoInput {
  root: string;
  env: NodeJS.ProcessEnv;
  /** `--run-id`. */
  runId?: string | undefined;
  base?: string | undefined;
  headSha?: string | undefined;
  startedAt: Date;
  durationMs: number;
}

/**
 * The run's identity. Its id is `--run-id`, else in GitHub Actions one derived from the repository,
 * the workflow run and its attempt (a retried publish of the same run keeps it), else a random UUID.
 */
export function runInfo(input: RunInfoInput): RunInfo {
  const { env } = input;
  const str = (v: string | undefined) => (v !== undefined && v !== '' ? v : undefined);
  const repository = str(env.GITHUB_REPOSITORY) ?? null;
  const actionsRun = str(env.GITHUB_RUN_ID);
  const id =
    input.runId ??
    (repository && actionsRun ? uuidFromName(`${repository}/${actionsRun}/${str(env.GITHUB_RUN_ATTEMPT) ?? '1'}`) : randomUUID());
  const head = str(input.headSha) !== undefined && str(env.GITHUB_REF) !== undefined ? undefined : gitHead(input.root);
  const commit = str(input.headSha) ?? head?.commit ?? null;
  const ref = str(env.GITHUB_REF) ?? head?.ref ?? null;
  return {
    id,
    repository,
    commit: commit || null,
    base: input.base ?? null,
    ref: ref || null,
    event: str(env.GITHUB_EVENT_NAME) ?? 'local',
    started_at: input.startedAt.toISOString(),
    duration_ms: input.durationMs,
    engine: engineVersion(),
  };
}

/**
 * The run of a merged report: the shards of one workflow run share its id (derived from the
 * workflow run); the merge starts with the first shard and lasts as long as the longest.
 */
export function mergedRunInfo(runs: ReadonlyArray<RunInfo | undefined>): RunInfo | undefined {
  const known = runs.filter((r): r is RunInfo => r !== undefined);
  const first = known[0];
  if (!first) return undefined;
  const starts = known.map((r) => r.started_at).sort();
  return {
    id: first.id,
    repository: first.repository,
    commit: first.commit,
    base: first.base,
    ref: first.ref,
    event: first.event,
    started_at: starts[0] as string,
    duration_ms: Math.max(...known.map((r) => r.duration_ms)),
    engine: first.engine,
  };
}
