import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSsotTree } from '../bench/ssot-tree.ts';
import { PARALLEL_THRESHOLD } from '../gates/core/prefetch.ts';
import { runGates } from '../gates/core/run.ts';
import { policies } from '../policies/index.ts';
import { formatFinding } from '../gates/testing/fixtures.ts';
import { makeTree, removeTree } from './helpers/tree.ts';

let root: string;
let planted: number;
beforeAll(() => {
  root = makeTree({});
  planted = generateSsotTree(root, PARALLEL_THRESHOLD + 500);
});
afterAll(() => removeTree(root));

describe('parallel YAML prefetch', () => {
  it('reports exactly what a one-thread run reports, at the same places', async () => {
    const selected = policies.filter((p) => p.id.startsWith('files/') || p.id.startsWith('ssot/'));
    const run = (parallel: boolean) =>
      runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies: selected, parallel });
    const [seq, par] = [await run(false), await run(true)];
    expect(par.internalErrors).toBe(0);
    expect(par.findings.map(formatFinding)).toEqual(seq.findings.map(formatFinding));
    expect(par.findings.filter((f) => f.policy === 'ssot/schema')).toHaveLength(planted);
  }, 120_000);
});
