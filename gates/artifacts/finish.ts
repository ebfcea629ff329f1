import fs from 'node:fs';
import path from 'node:path';
import type { ArtifactError } from '../core/artifacts.ts';
import type { GateResult } from '../core/run.ts';
import { toJsonReport } from '../reporters/json.ts';
import type { RepoLinks } from '../reporters/types.ts';
import { planArtifacts, writePlanned, type PlannedArtifact } from './plan.ts';
import { runInfo, type RunInfo } from './run-info.ts';

export interface FinishInput {
  env: NodeJS.ProcessEnv;
  runId?: string | undefined;
  base?: string | undefined;
  headSha?: string | undefined;
  startedAt: Date;
  links?: RepoLinks | undefined;
  /** The run's identity when it is known already (a merge of shard reports). */
  run?: RunInfo | undefined;
}

/**
 * Gives the result its run identity and plans every artifact (gate-report.json last, so it lists
 * what is missing and why). Call before the reports are emitted: they show the same run.
 */
export async function prepareArtifacts(result: GateResult, input: FinishInput): Promise<PlannedArtifact[]> {
  result.run = input.run ?? runInfo({ root: result.root, env: input.env, runId: input.runId, base: input.base, headSha: input.headSha, startedAt: input.startedAt, durationMs: result.durationMs });
  const plan = result.repo ? await planArtifacts(result, result.repo) : { artifacts: [], missing: [] };
  result.missingArtifacts = plan.missing;
  return [{ file: 'gate-report.json', kind: 'gate-report', data: toJsonReport(result, input.links) }, ...plan.artifacts];
}

export interface Written {
  errors: ArtifactError[];
  /** The gate report as written, when it conformed (what --publish sends). */
  report: object | undefined;
}

/** Writes every planned artifact that conforms to its schema; the others come back as errors. */
export function writeArtifacts(dir: string, artifacts: readonly PlannedArtifact[], missing: ReadonlyArray<{ artifact: string }> = []): Written {
  // A consumer must never read an earlier run's artifact as this run's.
  for (const m of missing) fs.rmSync(path.join(dir, m.artifact), { force: true });
  const errors = writePlanned(dir, artifacts);
  const report = artifacts.find((a) => a.file === 'gate-report.json');
  return { errors, report: report && !errors.some((e) => e.artifact === 'gate-report.json') ? (report.data as object) : undefined };
}
