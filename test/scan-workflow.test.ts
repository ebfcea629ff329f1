import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeTree, removeTree } from './helpers/tree.ts';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import actionlint from '../policies/workflows/actionlint.ts';

const root = path.resolve(import.meta.dirname, '..');
const text = fs.readFileSync(path.join(root, '.github/workflows/scan.yml'), 'utf8');

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  if?: string;
}
const wf = parse(text) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { if?: string; env?: Record<string, string>; services?: Record<string, { image: string }>; steps: Step[] }>;
};
const job = wf.jobs.scan;
const steps = job?.steps ?? [];

describe('.github/workflows/scan.yml ("Run Scan")', () => {
  it('passes actionlint', async () => {
    const tree = makeTree({ '.github/workflows/scan.yml': text });
    try {
      const { lines, internalErrors } = await runPolicyOn(actionlint, tree);
      expect(internalErrors).toBe(0);
      expect(lines).toEqual([]);
    } finally {
      removeTree(tree);
    }
  });

  it('runs on dispatch and on a schedule, on the default branch only, one at a time, reading the code only', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(wf.on.schedule).toEqual([{ cron: '17 5 * * *' }]);
    expect(job?.if).toBe("${{ github.ref == format('refs/heads/{0}', github.event.repository.default_branch) }}");
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(wf.concurrency).toEqual({ group: 'scan', 'cancel-in-progress': false });
  });

  it('replays the migrations on its own Postgres service and publishes to the ops database of a secret', () => {
    expect(job?.services?.postgres?.image).toMatch(/^postgres:\d+$/);
    expect(job?.env?.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    const gates = steps.find((s) => s.run?.includes('gates/cli.ts check'));
    expect(gates?.env).toEqual({ OPS_DATABASE_URL: '${{ secrets.OPS_DATABASE_URL }}' });
    expect(gates?.run).toContain('--publish-url "$OPS_DATABASE_URL"');
    // Exit 1 (findings) is the scan's verdict, published; exit 2 fails the job.
    expect(gates?.run).toContain('if [ "$status" -ge 2 ]; then exit "$status"; fi');
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('${{ always() }}');
    expect(String(upload?.with?.path)).toContain('artifacts/');
  });

  it('names a secret the registry knows', () => {
    expect(fs.readFileSync(path.join(root, 'ssot/secrets/registry.yaml'), 'utf8')).toContain('\n  ops_database_url:\n');
  });
});
