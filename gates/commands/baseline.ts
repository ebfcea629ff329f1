import path from 'node:path';
import { baselineOf, writeBaseline } from '../core/baseline.ts';
import type { Policy } from '../core/policy.ts';
import { runGates } from '../core/run.ts';
import { UsageError, type CliIO } from './io.ts';
import { select } from './check.ts';
import fs from 'node:fs';

/** The default baseline file, under the checked repository's root. */
export const DEFAULT_BASELINE = 'gates-baseline.json';

export interface BaselineArgs {
  root?: string;
  only?: string[];
  skip?: string[];
  artifacts?: string;
  output?: string;
  'app-dir'?: string;
}

/**
 * `gates baseline`: runs every selected policy over the whole repository and writes the current
 * findings' fingerprints, counted per file and policy, to the baseline file (findings already waived
 * are left out: their waivers carry them). A run where a policy crashed writes nothing.
 */
export async function baseline(v: BaselineArgs, io: CliIO, policies: readonly Policy[]): Promise<number> {
  const root = path.resolve(io.cwd, v.root ?? '.');
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`--root ${v.root ?? '.'}: no such directory`);
  const file = v.output !== undefined ? path.resolve(io.cwd, v.output) : path.join(root, DEFAULT_BASELINE);
  const result = await runGates({
    root,
    artifactsDir: path.resolve(root, v.artifacts ?? 'artifacts'),
    policies: select(policies, v.only, v.skip),
    policyIds: policies.map((p) => p.id),
    ...(v['app-dir'] !== undefined ? { appDir: v['app-dir'] } : {}),
    ...(io.env.DATABASE_URL ? { databaseUrl: io.env.DATABASE_URL } : {}),
  });
  if (result.internalErrors > 0) {
    const crashed = result.policies.filter((p) => p.status === 'crashed').map((p) => p.id);
    io.stderr(`gates: ${crashed.join(', ')} crashed; no baseline written (a baseline of a broken run would hide what it missed)\n`);
    return 2;
  }
  const b = baselineOf(result.findings, file);
  writeBaseline(file, b);
  const n = b.entries.reduce((sum, e) => sum + e.count, 0);
  io.stderr(
    `gates: wrote ${n} ${n === 1 ? 'finding' : 'findings'} of ${new Set(b.entries.map((e) => e.file)).size} files to ${path.relative(io.cwd, file) || file}; check it in and run \`gates check --baseline ${path.relative(io.cwd, file) || file}\`\n`,
  );
  return 0;
}
