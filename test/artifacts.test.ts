import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactProblems } from '../gates/core/artifacts.ts';
import { definePolicy } from '../gates/core/policy.ts';
import { main, type CliIO } from '../gates/main.ts';
import { policies } from '../policies/index.ts';
import { opsDatabase, query } from './helpers/ops-db.ts';
import { DATABASE_URL, throwawayDatabase, type ThrowawayDatabase } from './helpers/pg.ts';

const ENGINE = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-artifacts-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of this repository's SSOT, schemas and migrations: the real inputs of the artifacts. */
function repoCopy(name: string, statusFiles: Record<string, string> = {}): string {
  const root = path.join(tmp, name);
  for (const d of ['ssot', 'schemas', 'migrations', '.vscode']) fs.cpSync(path.join(ENGINE, d), path.join(root, d), { recursive: true });
  for (const [f, text] of Object.entries(statusFiles)) {
    fs.mkdirSync(path.join(root, 'status'), { recursive: true });
    fs.writeFileSync(path.join(root, 'status', f), text);
  }
  return root;
}

async function gates(root: string, args: string[], opts: { env?: NodeJS.ProcessEnv; policies?: typeof policies } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    env: { ...(DATABASE_URL ? { DATABASE_URL } : {}), ...opts.env },
    cwd: root,
    isTTY: false,
  };
  const code = await main(args, io, opts.policies ?? policies);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const read = (root: string, file: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(root, 'artifacts', file), 'utf8')) as Record<string, unknown>;
const ONLY = ['--only', 'ssot,secrets,modules'];

describe('the artifacts of a run on this repository', () => {
  let root: string;
  let r: Awaited<ReturnType<typeof gates>>;
  beforeAll(async () => {
    root = repoCopy('clean', { 'module_status_prod.txt': 'base installed 18.0.1.3\nqueue_job installed 18.0.1.1.0\nweb installed 18.0.1.0\n' });
    r = await gates(root, ['check', ...ONLY, '--module-status', 'status', '--run-id', '0b5c4d6e-1f2a-4b3c-8d4e-5f6a7b8c9d0e']);
  }, 120_000);

  it('writes every artifact, each valid against its schema', () => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(root, 'artifacts')).sort()).toEqual(['control-plane.json', 'gate-report.json', 'module-diff-prod.json', 'ssot.json']);
    for (const [file, kind] of [
      ['gate-report.json', 'gate-report'],
      ['ssot.json', 'ssot'],
      ['control-plane.json', 'control-plane'],
      ['module-diff-prod.json', 'module-diff'],
    ] as const) {
      expect(artifactProblems(kind, read(root, file)), file).toEqual([]);
    }
  });

  it('gives gate-report.json its run, each policy its status and each finding its docs URL', () => {
    const report = read(root, 'gate-report.json') as { run: Record<string, unknown>; policies: Array<Record<string, unknown>> };
    expect(report.run).toEqual({
      id: '0b5c4d6e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
      repository: null,
      commit: null,
      base: null,
      ref: null,
      event: 'local',
      started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      duration_ms: expect.any(Number),
      policy_duration_ms: expect.any(Object),
      engine: { name: 'odooops-gates', version: expect.any(String) },
    });
    expect(Object.keys(report.run.policy_duration_ms as object).sort()).toEqual(report.policies.map((p) => p.id).sort());
    expect(report.policies.find((p) => p.id === 'modules/outside-waves')).toEqual({
      id: 'modules/outside-waves',
      severity: 'error',
      status: 'ran',
      findings: 0,
    });
  });

  it('resolves the SSOT with the file:line of every entry and the secrets by name only', () => {
    const ssot = read(root, 'ssot.json') as Record<string, Array<Record<string, unknown>>> & {
      module_waves: { waves: Array<{ source: string; modules: Array<Record<string, unknown>> }> };
    };
    expect(ssot.environments?.map((e) => [e.name, e.source])).toEqual([
      ['dev', 'ssot/environments/dev.yaml:3'],
      ['prod', 'ssot/environments/prod.yaml:3'],
      ['stage', 'ssot/environments/stage.yaml:3'],
    ]);
    expect(ssot.capabilities?.find((c) => c.id === 'metrics')?.source).toBe(`ssot/capabilities.yaml:${lineOf('ssot/capabilities.yaml', '  - id: metrics')}`);
    expect(ssot.module_waves.waves[0]?.modules[0]).toEqual({
      name: 'queue_job',
      repository: 'OCA/queue',
      source: `ssot/modules/waves.yaml:${lineOf('ssot/modules/waves.yaml', '{name: queue_job')}`,
    });
    expect(ssot.secrets?.find((s) => s.name === 'digitalocean_token')).toEqual({
      name: 'digitalocean_token',
      consumers: ['digitalocean', 'ops-do-ingest'],
      stores: ['supabase_edge_secrets'],
      environments: ['prod'],
      owner: 'platform',
      source: `ssot/secrets/registry.yaml:${lineOf('ssot/secrets/registry.yaml', '  digitalocean_token:')}`,
    });
    for (const s of ssot.secrets ?? []) expect(Object.keys(s).sort()).toEqual(['consumers', 'environments', 'name', 'owner', 'source', 'stores']);
  });

  it('writes control-plane.json: maturity, state, and whether the data source is in the replayed schema', () => {
    const cp = read(root, 'control-plane.json') as { schema: Record<string, unknown>; capabilities: Array<Record<string, unknown>> };
    expect(cp.schema).toEqual({ replayed: true, engine: DATABASE_URL ? 'postgres' : 'pglite', reason: null });
    const byId = new Map(cp.capabilities.map((c) => [c.id, c]));
    expect(byId.get('rls')).toEqual({
      id: 'rls',
      title: 'Row Level Security',
      maturity: 'ga',
      data_source: 'ops.advisor_findings',
      data_source_kind: 'ops-table',
      baseline_allowed: true,
      state: 'online',
      data_source_exists: true,
      source: `ssot/capabilities.yaml:${lineOf('ssot/capabilities.yaml', '  - id: rls')}`,
    });
    expect(byId.get('metrics')).toMatchObject({ maturity: 'scaffold', state: 'coming-online', data_source_kind: 'supabase-api', data_source_exists: null });
  });

  it('gives the same bytes for the same input, the run fields aside', async () => {
    const before = ['ssot.json', 'control-plane.json', 'module-diff-prod.json'].map((f) => fs.readFileSync(path.join(root, 'artifacts', f), 'utf8'));
    const again = await gates(root, ['check', ...ONLY, '--module-status', 'status', '--run-id', '0b5c4d6e-1f2a-4b3c-8d4e-5f6a7b8c9d0e']);
    expect(again.code).toBe(0);
    expect(['ssot.json', 'control-plane.json', 'module-diff-prod.json'].map((f) => fs.readFileSync(path.join(root, 'artifacts', f), 'utf8'))).toEqual(before);
    expect(fs.readdirSync(path.join(root, 'artifacts')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});

function lineOf(file: string, needle: string): number {
  return (
    fs
      .readFileSync(path.join(ENGINE, file), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(needle)) + 1
  );
}

describe('ssot.json when the SSOT has an error', () => {
  it('is not written (an earlier one is removed) and the report says why', async () => {
    const root = repoCopy('broken');
    fs.mkdirSync(path.join(root, 'artifacts'));
    fs.writeFileSync(path.join(root, 'artifacts', 'ssot.json'), '{"stale": true}\n');
    const env = fs.readFileSync(path.join(root, 'ssot/environments/prod.yaml'), 'utf8');
    fs.writeFileSync(path.join(root, 'ssot/environments/prod.yaml'), env.replace('workers: 4', 'workers: many'));
    const r = await gates(root, ['check', ...ONLY, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(fs.existsSync(path.join(root, 'artifacts', 'ssot.json'))).toBe(false);
    const report = read(root, 'gate-report.json');
    const line = lineOf('ssot/environments/prod.yaml', 'workers: 4');
    const why = `the SSOT has 1 error-level finding (first: ssot/environments/prod.yaml:${line} ssot/schema); fix it and run again`;
    expect(report.missingArtifacts).toEqual([
      { artifact: 'ssot.json', reason: why },
      { artifact: 'control-plane.json', reason: why },
    ]);
    expect(JSON.parse(r.stdout)).toEqual(report);
  }, 120_000);

  it('is not written when the SSOT policies did not run', async () => {
    const root = repoCopy('files-only');
    const r = await gates(root, ['check', '--only', 'files']);
    expect(r.code).toBe(0);
    expect((read(root, 'gate-report.json').missingArtifacts as Array<{ reason: string }>)[0]?.reason).toBe(
      'the SSOT was not fully checked in this run (ssot/schema, secrets/no-values did not run), so it cannot be vouched for',
    );
  });
});

describe('the artifacts of a sharded run', () => {
  it("are not written by a shard (it sees part of the SSOT) but by the merge of all shards, with the shards' run id", async () => {
    const root = repoCopy('sharded');
    const id = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    for (const k of [1, 2]) {
      const r = await gates(root, ['check', ...ONLY, '--shard', `${k}/2`, '--run-id', id, '--format', `json:shard-${k}.json`, '--format', 'stylish']);
      expect(r.code).toBe(0);
      expect(fs.existsSync(path.join(root, 'artifacts', 'ssot.json'))).toBe(false);
      expect((read(root, 'gate-report.json').missingArtifacts as Array<{ reason: string }>)[0]?.reason).toBe(
        `this run checked shard ${k}/2 of the files; \`gates merge\` of all 2 reports writes it`,
      );
    }
    const merged = await gates(root, ['merge', 'shard-1.json', 'shard-2.json']);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    expect(artifactProblems('ssot', read(root, 'ssot.json'))).toEqual([]);
    expect(artifactProblems('control-plane', read(root, 'control-plane.json'))).toEqual([]);
    const report = read(root, 'gate-report.json') as { run: { id: string }; missingArtifacts?: unknown };
    expect(report.run.id).toBe(id);
    expect(report.missingArtifacts).toBeUndefined();
  }, 180_000);
});

describe('an artifact that breaks its schema', () => {
  it('is not written; the run exits 2 naming it, after the reports are out', async () => {
    const rogue = definePolicy({
      id: 'test/rogue',
      title: 'Rogue',
      severity: 'warning',
      appliesTo: ['**'],
      check: () => [{ file: '../outside.yaml', line: 1, message: 'planted: a path that climbs out of the root' }],
    });
    const root = repoCopy('rogue');
    const r = await gates(root, ['check', '--only', 'files,test', '--format', 'json:reports/r.json', '--format', 'stylish'], {
      policies: [...policies, rogue],
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('planted: a path that climbs out of the root');
    expect(JSON.parse(fs.readFileSync(path.join(root, 'reports/r.json'), 'utf8')).findings).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^gates: internal error: artifact gate-report\.json does not match schemas\/artifacts\/gate-report\.schema\.json: \/findings\/0\/file must match pattern .*; gate-report\.json was not written — this is a bug in the gate, please report it\n$/,
    );
    expect(fs.existsSync(path.join(root, 'artifacts', 'gate-report.json'))).toBe(false);
  });
});

describe('module status, from an Odoo database to the diff and the policy', () => {
  let odoo: ThrowawayDatabase;
  beforeAll(async () => {
    odoo = await throwawayDatabase();
    // The shape of Odoo's ir_module_module (the columns the gates read, and some they do not).
    await query(
      odoo.url,
      `create table ir_module_module (
      id serial primary key, name varchar not null unique, state varchar(16), latest_version varchar,
      shortdesc jsonb, author varchar, application boolean default false, create_date timestamp default now())`,
    );
    await query(
      odoo.url,
      `insert into ir_module_module (name, state, latest_version) values
        ('web', 'installed', '18.0.1.0'), ('base', 'installed', '18.0.1.3'), ('queue_job', 'installed', '18.0.1.1.0'),
        ('auditlog', 'to upgrade', '18.0.1.0.0'), ('sale_stock', 'installed', '18.0.1.0'), ('website', 'uninstalled', null),
        ('mail_tracking', 'to install', null), ('mail', 'installed', null)`,
    );
  }, 60_000);
  afterAll(async () => {
    await odoo?.drop();
  });

  it('writes module_status_<env>.txt, then module-diff-<env>.json and an error on prod at the line', async () => {
    const root = repoCopy('modules');
    const s = await gates(root, ['modules', 'status', '--env', 'prod', '--odoo-url', odoo.url, '--out', 'status']);
    expect(s).toEqual({ code: 0, stdout: `${path.join('status', 'module_status_prod.txt')}: 6 modules of prod\n`, stderr: '' });
    const text = fs.readFileSync(path.join(root, 'status/module_status_prod.txt'), 'utf8');
    expect(text).toBe(
      'auditlog to upgrade 18.0.1.0.0\nbase installed 18.0.1.3\nmail installed -\nqueue_job installed 18.0.1.1.0\nsale_stock installed 18.0.1.0\nweb installed 18.0.1.0\n',
    );
    fs.copyFileSync(path.join(root, 'status/module_status_prod.txt'), path.join(root, 'status/module_status_stage.txt'));

    const r = await gates(root, ['check', '--only', 'modules', '--module-status', 'status', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      findings: Array<{ file: string; line: number; column: number; endLine: number; endColumn: number; severity: string; message: string }>;
    };
    expect(report.findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.severity} ${f.message}`)).toEqual([
      'status/module_status_prod.txt:5:1-5:11 error `sale_stock` is installed on prod (installed, version 18.0.1.0) but is in no wave of ssot/modules/waves.yaml and not in its core_modules — add it to a wave with its OCA repository, or uninstall it from prod',
      'status/module_status_stage.txt:5:1-5:11 warning `sale_stock` is installed on stage (installed, version 18.0.1.0) but is in no wave of ssot/modules/waves.yaml and not in its core_modules — add it to a wave with its OCA repository, or uninstall it from stage',
    ]);
    const diff = read(root, 'module-diff-prod.json') as {
      summary: Record<string, number>;
      waves: Array<{ wave: number; installed: Array<Record<string, unknown>>; missing: Array<Record<string, unknown>> }>;
      outside_waves: unknown[];
      core: Array<{ name: string }>;
    };
    expect(artifactProblems('module-diff', diff)).toEqual([]);
    expect(diff.summary).toEqual({ allowlisted: 28, installed: 2, missing: 26, outside_waves: 1, core: 3 });
    expect(diff.waves[0]?.installed).toEqual([
      {
        name: 'queue_job',
        repository: 'OCA/queue',
        state: 'installed',
        version: '18.0.1.1.0',
        status_line: 4,
        source: `ssot/modules/waves.yaml:${lineOf('ssot/modules/waves.yaml', '{name: queue_job')}`,
        evidence: 'https://github.com/OCA/queue/tree/18.0/queue_job',
      },
      {
        name: 'auditlog',
        repository: 'OCA/server-tools',
        state: 'to upgrade',
        version: '18.0.1.0.0',
        status_line: 1,
        source: `ssot/modules/waves.yaml:${lineOf('ssot/modules/waves.yaml', '{name: auditlog')}`,
        evidence: 'https://github.com/OCA/server-tools/tree/18.0/auditlog',
      },
    ]);
    expect(diff.waves[1]?.missing[0]).toEqual({
      name: 'web_responsive',
      repository: 'OCA/web',
      source: `ssot/modules/waves.yaml:${lineOf('ssot/modules/waves.yaml', '{name: web_responsive')}`,
      evidence: 'https://github.com/OCA/web/tree/18.0/web_responsive',
    });
    expect(diff.outside_waves).toEqual([
      { name: 'sale_stock', state: 'installed', version: '18.0.1.0', status_line: 5, evidence: 'https://apps.odoo.com/apps/modules/18.0/sale_stock/' },
    ]);
    expect(diff.core.map((c) => c.name)).toEqual(['base', 'mail', 'web']);
  }, 120_000);

  it('reports a malformed status file at its line and writes no diff for it', async () => {
    const root = repoCopy('malformed', { 'module_status_prod.txt': 'base installed 18.0.1.3\nweb installed\n' });
    const r = await gates(root, ['check', '--only', 'modules', '--module-status', 'status', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: Array<{ file: string; line: number; column: number; message: string }>; missingArtifacts: unknown[] };
    expect(report.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([
      'status/module_status_prod.txt:2:1 this line of the prod module status is not `name state version`: it has 2 fields, not three — regenerate the file with `gates modules status --env prod --odoo-url URL`',
    ]);
    expect(fs.existsSync(path.join(root, 'artifacts', 'module-diff-prod.json'))).toBe(false);
    expect(report.missingArtifacts).toContainEqual({
      artifact: 'module-diff-prod.json',
      reason: 'status/module_status_prod.txt:2 is malformed (it has 2 fields, not three); see the modules/outside-waves findings',
    });
  });

  it('refuses a bad command line: no --env, a status folder outside the root, modules options on check', async () => {
    const root = repoCopy('usage');
    const cases: Array<[string[], string]> = [
      [['modules', 'status', '--odoo-url', odoo.url], 'gates: modules status needs --env ENV (e.g. prod)'],
      [['modules', 'status', '--env', 'Prod!', '--odoo-url', odoo.url], 'gates: --env Prod!: expected a lowercase environment name such as prod, stage or dev'],
      [['modules', 'status', '--env', 'prod'], 'gates: modules status needs --odoo-url URL (a Postgres URL of the Odoo database)'],
      [['modules', 'list'], 'gates: unknown modules command `list`; expected `modules status`'],
      [
        ['check', '--module-status', '..'],
        'gates: --module-status ..: no such folder inside the root (findings point at its lines, so it must be in the repository)',
      ],
      [['check', '--env', 'prod'], 'gates: --env belongs to `modules status`, not to check'],
      [['check', '--run-id', 'run-1'], 'gates: --run-id run-1: expected a lowercase UUID'],
    ];
    for (const [args, message] of cases) {
      const r = await gates(root, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0], args.join(' ')).toBe(message);
    }
  });

  it('says so when the database is not an Odoo database, with exit 2', async () => {
    const empty = await throwawayDatabase();
    try {
      const r = await gates(tmp, ['modules', 'status', '--env', 'dev', '--odoo-url', empty.url]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^gates: modules status: cannot read the modules of .*: it has no ir_module_module table: is it an Odoo database\?\n$/);
    } finally {
      await empty.drop();
    }
  });
});

describe('gates check --publish', () => {
  let ops: ThrowawayDatabase;
  beforeAll(async () => {
    ops = await opsDatabase();
  }, 60_000);
  afterAll(async () => {
    await ops?.drop();
  });
  const RUN = '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';

  it('publishes the run once, however often it is run with the same id', async () => {
    const root = repoCopy('publish');
    fs.writeFileSync(path.join(root, 'ssot/bad.yaml'), 'a: 1\na: 2\n');
    const env = { GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_NAME: 'workflow_dispatch' };
    const first = await gates(root, ['check', '--only', 'files', '--publish-url', ops.url, '--run-id', RUN], { env });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(new RegExp(`^gates: published run ${RUN} to .*: 1 findings \\(1 new, 0 resolved since no earlier run of this ref\\)\\n$`));
    const again = await gates(root, ['check', '--only', 'files', '--publish', '--run-id', RUN], { env: { ...env, DATABASE_URL: ops.url } });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`^gates: run ${RUN} is already published on .*; it is stored once\\n$`));
    expect(await query(ops.url, 'select id::text, ref, event, status from ops.advisor_runs')).toEqual([
      { id: RUN, ref: 'refs/heads/main', event: 'workflow_dispatch', status: 'succeeded' },
    ]);
    expect(await query(ops.url, 'select policy, file, start_line, status from ops.advisor_findings')).toEqual([
      { policy: 'files/yaml-wellformed', file: 'ssot/bad.yaml', start_line: 2, status: 'open' },
    ]);
    expect(await query(ops.url, 'select count(*)::int as n from ops.run_events where run_id = $1', [RUN])).toEqual([{ n: 1 }]);
  });

  it('exits 2 with a clear message when the ops tables are missing, after the reports and artifacts are written', async () => {
    const empty = await throwawayDatabase();
    try {
      const root = repoCopy('publish-missing');
      const r = await gates(root, ['check', '--only', 'files', '--publish-url', empty.url, '--format', 'json:reports/r.json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^gates: --publish: ops\.advisor_runs, ops\.advisor_findings, ops\.run_events do not exist on .* — apply the migrations of migrations\/ to that database first\n$/,
      );
      expect(fs.existsSync(path.join(root, 'reports/r.json'))).toBe(true);
      expect(fs.existsSync(path.join(root, 'artifacts/gate-report.json'))).toBe(true);
    } finally {
      await empty.drop();
    }
  });

  it('exits 2 with a clear message when the database is unreachable, after the reports and artifacts are written', async () => {
    const root = repoCopy('publish-unreachable');
    const r = await gates(root, ['check', '--only', 'files', '--publish-url', 'postgres://ops:hunter22@127.0.0.1:1/ops', '--format', 'json:reports/r.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^gates: --publish: cannot reach the database at 127\.0\.0\.1:1\/ops: .* — check DATABASE_URL or --publish-url and that the server is up\n$/,
    );
    expect(r.stderr).not.toContain('hunter22');
    expect(fs.existsSync(path.join(root, 'reports/r.json'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'artifacts/gate-report.json'))).toBe(true);
  });

  it('is a usage error without a database URL', async () => {
    const r = await gates(tmp, ['check', '--publish'], { env: { DATABASE_URL: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gates: --publish needs DATABASE_URL or --publish-url URL\n/);
  });
});
