import path from 'node:path';
import { ArtifactError, writeArtifact } from '../core/artifacts.ts';
import { toPosix } from '../core/paths.ts';
import type { RepoContext } from '../core/repo.ts';
import type { GateResult } from '../core/run.ts';
import { moduleDiff } from '../modules/diff.ts';
import { parseStatus, STATUS_FILE } from '../modules/status.ts';
import { readWaves } from '../modules/waves.ts';
import { buildControlPlane } from './control-plane.ts';
import { buildSsot, ssotBlocked } from './ssot.ts';
import fs from 'node:fs';

/** One artifact to write: its file name under --artifacts, its schema kind, its data. */
export interface PlannedArtifact {
  file: string;
  kind: string;
  data: unknown;
}

export interface ArtifactPlan {
  artifacts: PlannedArtifact[];
  missing: Array<{ artifact: string; reason: string }>;
}

/**
 * The artifacts besides gate-report.json: ssot.json and control-plane.json when the SSOT is
 * clean, and `module-diff-<env>.json` per well-formed status file of `--module-status`. What is
 * not written is listed with its reason (the report carries it).
 */
export async function planArtifacts(result: GateResult, ctx: RepoContext): Promise<ArtifactPlan> {
  const plan: ArtifactPlan = { artifacts: [], missing: [] };
  const blocked = ssotBlocked(result);
  if (blocked) {
    plan.missing.push({ artifact: 'ssot.json', reason: blocked }, { artifact: 'control-plane.json', reason: blocked });
  } else {
    plan.artifacts.push({ file: 'ssot.json', kind: 'ssot', data: buildSsot(ctx) });
    const cp = await buildControlPlane(ctx);
    if ('missing' in cp) plan.missing.push({ artifact: 'control-plane.json', reason: cp.missing });
    else plan.artifacts.push({ file: 'control-plane.json', kind: 'control-plane', data: cp });
  }
  const dir = ctx.options.moduleStatusDir;
  if (dir !== undefined) {
    const abs = path.resolve(ctx.root, dir);
    const names = fs.existsSync(abs) ? fs.readdirSync(abs).filter((n) => STATUS_FILE.test(n)).sort() : [];
    const waves = readWaves(ctx);
    for (const name of names) {
      const env = (STATUS_FILE.exec(name) as RegExpExecArray)[1] as string;
      const artifact = `module-diff-${env}.json`;
      const file = toPosix(path.relative(ctx.root, path.join(abs, name)));
      if ('missing' in waves) {
        plan.missing.push({ artifact, reason: `the waves cannot be read: ${waves.missing}` });
        continue;
      }
      const t = ctx.read(file);
      if (!t.ok) {
        plan.missing.push({ artifact, reason: `${file} cannot be read: ${t.message}` });
        continue;
      }
      const parsed = parseStatus(t.text);
      const first = parsed.problems[0];
      if (first) {
        plan.missing.push({ artifact, reason: `${file}:${first.line} is malformed (${first.why}); see the modules/outside-waves findings` });
        continue;
      }
      plan.artifacts.push({ file: artifact, kind: 'module-diff', data: moduleDiff(env, file, parsed.modules, waves) });
    }
  }
  return plan;
}

/** Validates and writes each artifact; those that break their schema are not written and come back as errors. */
export function writePlanned(dir: string, artifacts: readonly PlannedArtifact[]): ArtifactError[] {
  const errors: ArtifactError[] = [];
  for (const a of artifacts) {
    try {
      writeArtifact(dir, a.file, a.data, a.kind);
    } catch (e) {
      if (!(e instanceof ArtifactError)) throw e;
      errors.push(e);
      fs.rmSync(path.join(dir, a.file), { force: true });
    }
  }
  return errors;
}
