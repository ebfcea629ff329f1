import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeReports, type JsonReport } from '../gates/core/merge.ts';
import { runGates, type GateResult } from '../gates/core/run.ts';
import { shardOf } from '../gates/core/scope.ts';
import { toJsonReport } from '../gates/reporters/json.ts';
import { policies } from '../policies/index.ts';
import { generateSsotTree } from '../bench/ssot-tree.ts';

const ENGINE = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-shards-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** What a run decided, without timings: every finding (with its suppression) and every policy's outcome. */
function verdict(r: GateResult): unknown {
  const j = toJsonReport(r) as { findings: unknown[]; summary: unknown; policies: Array<{ id: string; status: string; findings: number; reason?: string }> };
  return { findings: j.findings, summary: j.summary, policies: j.policies.map(({ id, status, findings, reason }) => ({ id, status, findings, reason })) };
}

async function shardedThenMerged(root: string, n: number, opts: { today?: string } = {}): Promise<GateResult> {
  const reports: JsonReport[] = [];
  for (let k = 1; k <= n; k++) {
    const r = await runGates({
      root,
      artifactsDir: path.join(tmp, `a-${k}`),
      policies,
      policyIds: policies.map((p) => p.id),
      shard: { index: k, count: n },
      ...opts,
    });
    // Through JSON, as the CI matrix hands the shards' reports to `gates merge`.
    reports.push(JSON.parse(JSON.stringify(toJsonReport(r))) as JsonReport);
  }
  return mergeReports(reports, { root, artifactsDir: path.join(tmp, 'merged'), policies, ...opts });
}

describe('--shard K/N and gates merge', () => {
  it('splits files deterministically, by path alone', () => {
    expect(shardOf('ssot/jobs.yaml', 4)).toBe(shardOf('ssot/jobs.yaml', 4));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[shardOf(`ssot/team/f-${i}.yaml`, 4) - 1] = (counts[shardOf(`ssot/team/f-${i}.yaml`, 4) - 1] ?? 0) + 1;
    for (const c of counts) expect(c).toBeGreaterThan(60);
  });

  it('merged shards equal an unsharded run on a generated tree, waivers and inline allows included', async () => {
    const root = path.join(tmp, 'tree');
    generateSsotTree(root, 300);
    const waivers = fs.readFileSync(path.join(ENGINE, 'schemas/ssot/waivers.schema.json'), 'utf8');
    fs.writeFileSync(path.join(root, 'schemas/ssot/waivers.schema.json'), waivers);
    fs.appendFileSync(path.join(root, 'schemas/map.yaml'), '- files: ssot/waivers.yaml\n  schema: schemas/ssot/waivers.schema.json\n');
    fs.writeFileSync(
      path.join(root, '.vscode/settings.json'),
      JSON.stringify({
        'yaml.schemas': { 'schemas/ssot/secrets-registry.schema.json': ['ssot/**/*.yaml'], 'schemas/ssot/waivers.schema.json': ['ssot/waivers.yaml'] },
      }),
    );
    // Waive the findings of team 0, and leave one waiver that matches nothing.
    fs.writeFileSync(
      path.join(root, 'ssot/waivers.yaml'),
      [
        'version: 1',
        'waivers:',
        '  - policy: ssot/schema',
        '    files: ssot/team-0/**',
        '    reason: Team 0 moves its registry next quarter.',
        '    owner: "@team-0"',
        '    expires: 2027-01-15',
        '  - policy: ssot/schema',
        '    files: ssot/team-99/**',
        '    reason: Team 99 moves its registry next quarter.',
        '    owner: "@team-99"',
        '    expires: 2027-01-15',
        '',
      ].join('\n'),
    );
    const one = path.join(root, 'ssot/team-25/registry-25.yaml');
    fs.writeFileSync(
      one,
      fs.readFileSync(one, 'utf8').replace('    ownr:', '    # gates-allow ssot/schema: the owner key is renamed by the registry move\n    ownr:'),
    );
    // A value reached through an alias, and a second document: the report words both, the merge must not twice.
    fs.writeFileSync(
      path.join(root, 'ssot/team-26/registry-26.yaml'),
      [
        'version: 1',
        'secrets:',
        '  service_26_api_key: &key',
        '    purpose: API key of service 26.',
        '    stores: [supabase_vault]',
        '    consumers: [runner-26]',
        '    rotation_days: ninety',
        '    environments: [prod]',
        '    owner: team-26',
        '  service_26_old_key: *key',
        '---',
        'version: 1',
        'secrets:',
        '  service_26_signing_key:',
        '    purpose: Webhook signing key of service 26.',
        '    stores: [supabase_vault]',
        '    consumers: [runner-26]',
        '    rotation_days: 0',
        '    environments: [prod]',
        '    owner: team-26',
        '',
      ].join('\n'),
    );
    const whole = await runGates({ root, artifactsDir: path.join(tmp, 'whole'), policies, policyIds: policies.map((p) => p.id), today: '2026-11-29' });
    const merged = await shardedThenMerged(root, 3, { today: '2026-11-29' });
    expect(whole.findings.some((f) => f.alias !== undefined)).toBe(true);
    expect(whole.findings.some((f) => f.docCount === 2)).toBe(true);
    expect(whole.summary.suppressed).toBeGreaterThan(0);
    expect(whole.findings.some((f) => f.policy === 'waivers/unused')).toBe(true);
    expect(whole.findings.some((f) => f.suppressed?.kind === 'inline')).toBe(true);
    expect(verdict(merged)).toEqual(verdict(whole));
  }, 120_000);

  it('merged shards equal an unsharded run on this repository', async () => {
    const whole = await runGates({ root: ENGINE, artifactsDir: path.join(tmp, 'own-whole'), policies, policyIds: policies.map((p) => p.id) });
    const merged = await shardedThenMerged(ENGINE, 3);
    expect(verdict(merged)).toEqual(verdict(whole));
  }, 300_000);

  it('refuses an incomplete or mixed set of shard reports', async () => {
    const r = { findings: [], summary: {}, policies: [] };
    const opts = { root: tmp, artifactsDir: path.join(tmp, 'x'), policies };
    await expect(
      mergeReports(
        [
          { ...r, shard: { index: 1, count: 3 } },
          { ...r, shard: { index: 3, count: 3 } },
        ],
        opts,
      ),
    ).rejects.toThrow('shard 2/3 missing: merge all 3 reports of the run');
    await expect(
      mergeReports(
        [
          { ...r, shard: { index: 1, count: 2 } },
          { ...r, shard: { index: 1, count: 2 } },
        ],
        opts,
      ),
    ).rejects.toThrow('shard 1/2 is given twice');
    await expect(mergeReports([{ ...r, shard: { index: 1, count: 2 } }, r], opts)).rejects.toThrow('the reports mix shards and whole runs');
  });
});

describe('gates merge on the command line', () => {
  it('makes the same report and exit code from the shards as one unsharded check', async () => {
    const { main } = await import('../gates/main.ts');
    const root = path.join(tmp, 'cli');
    generateSsotTree(root, 120);
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {}, cwd: root, isTTY: false });
      return { code, stdout: out.join(''), stderr: err.join('') };
    };
    const whole = await run('check', '--format', 'json', '--only', 'files,ssot,secrets');
    expect(whole.code).toBe(1);
    for (const k of [1, 2])
      expect((await run('check', '--shard', `${k}/2`, '--format', `json:shard-${k}.json`, '--only', 'files,ssot,secrets')).stderr).toBe('');
    const merged = await run('merge', 'shard-1.json', 'shard-2.json', '--format', 'json', '--format', 'sarif:merged.sarif');
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(1);
    // The same bytes but for the run fields (the run's identity and timings).
    const runFields = (text: string) => text.replace(/\n {2}"run": \{[^]*?\n {2}\},/, '');
    expect(runFields(merged.stdout)).toBe(runFields(whole.stdout));
    expect(JSON.parse(fs.readFileSync(path.join(root, 'merged.sarif'), 'utf8')).runs[0].results).toHaveLength(JSON.parse(whole.stdout).findings.length);
    expect((await run('merge', 'shard-1.json')).stderr).toMatch(/^gates: shard 2\/2 missing: merge all 2 reports of the run/);
  }, 120_000);
});
