// The console contract policies say they skipped, and why, when what they read is not there.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGates } from '../gates/core/run.ts';
import type { PolicyId } from '../policies/ids.ts';
import { policyById } from './helpers/policy.ts';
import { useTrees } from './helpers/tree.ts';

const tree = useTrees();

async function outcome(id: PolicyId, files: Record<string, string>, appDir?: string) {
  const root = tree(files);
  const result = await runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies: [policyById(id)], ...(appDir ? { appDir } : {}) });
  const run = result.policies.find((p) => p.id === id);
  return { status: run?.status, reason: run?.reason, findings: result.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.messageId ?? f.message}`) };
}

const NAV = 'version: 1\nroutes:\n  - {path: /advisor, label: Advisor, reads: [ops.advisor_runs]}\n';
const CONTRACT = 'version: 1\ntables:\n  ops.advisor_runs:\n    used_by: [console:/advisor]\n    columns: {id: uuid}\n';

describe('routes/page-data without a replay', () => {
  it('skips, naming the file and line where the replay stopped', async () => {
    const r = await outcome('routes/page-data', {
      'ssot/console/nav.yaml': NAV,
      'ssot/database/contract.yaml': CONTRACT,
      'migrations/20260301000010_ops.sql': 'create schema ops;\n\ncreate table ops.advisor_runs (id uuid references ops.nowhere (id));\n',
    });
    expect(r.status).toBe('skipped');
    expect(r.reason).toMatch(/^the replay stopped at migrations\/20260301000010_ops\.sql:3 \(.*nowhere.*\), so the tables the pages read cannot be checked$/);
    expect(r.findings).toEqual([]);
  });

  it('skips when there is no migration to replay', async () => {
    const r = await outcome('routes/page-data', { 'ssot/console/nav.yaml': NAV, 'ssot/database/contract.yaml': CONTRACT });
    expect(r).toEqual({
      status: 'skipped',
      reason: 'there is no migration under migrations/ to replay, so the tables the pages read cannot be checked',
      findings: [],
    });
  });

  it('skips when a migration does not parse', async () => {
    const r = await outcome('routes/page-data', {
      'ssot/console/nav.yaml': NAV,
      'ssot/database/contract.yaml': CONTRACT,
      'migrations/20260301000010_ops.sql': 'create tabel ops.advisor_runs (id uuid);\n',
    });
    expect(r.status).toBe('skipped');
    expect(r.reason).toMatch(/does not parse/);
  });
});

describe('routes/api-json and routes/safe-json without an app dir', () => {
  for (const id of ['routes/api-json', 'routes/safe-json'] as const) {
    it(`${id} skips with the reason`, async () => {
      const r = await outcome(id, { 'ssot/console/nav.yaml': 'version: 1\nroutes:\n  - {path: /, label: Overview}\n' });
      expect(r.status).toBe('skipped');
      expect(r.reason).toMatch(/neither --app-dir nor `app_dir` in ssot\/console\/nav\.yaml names the console's Next\.js app/);
    });
  }
});
