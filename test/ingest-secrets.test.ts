// The secret presence audit against real HTTP servers on 127.0.0.1 (GitHub, Vercel) and a real
// Postgres with the ops schema and a Supabase Vault table: present, missing, an API failure, and
// never a value in the output or the rows.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINE_DIR } from '../gates/core/artifacts.ts';
import { FakeClock } from '../ingest/lib/clock.ts';
import { SsotReader } from '../ingest/lib/config.ts';
import { Redactor } from '../ingest/lib/redact.ts';
import { Secrets } from '../ingest/lib/secrets.ts';
import { secretsAudit } from '../ingest/secrets/command.ts';
import { listen, migratedDb, type TestDb } from './helpers/ingest.ts';
import { useTrees } from './helpers/tree.ts';

const tree = useTrees();

const GITHUB_TOKEN = 'ghp_auditTOKEN0123456789abcdef';
const VERCEL_TOKEN = 'vercel_auditTOKEN_0123456789';
/** Values the stores hold: none may ever appear in the output or the rows. */
const VALUES = ['VAULT-VALUE-mailgun-key-123456', 'VERCEL-VALUE-https://grafana.example/d/xyz', 'VERCEL-VALUE-sentry-dsn-abcdef'];

const entry = (stores: string, consumers = '[]', parked = '\n    not_yet_consumed: Not read by anything in this test.') =>
  `\n    purpose: A secret of the audit test, named by the registry.\n    stores: ${stores}\n    consumers: ${consumers}${consumers === '[]' ? parked : ''}\n    rotation_days: 90\n    environments: [prod]\n    owner: platform`;
const REGISTRY = `version: 1
secrets:
  github_token:${entry('[supabase_edge_secrets, github_actions]', '[github]')}
  vercel_token:${entry('[github_actions]', '[vercel]')}
  cloudflare_api_token:${entry('[github_actions]')}
  grafana_dashboard_url:${entry('[vercel_env]')}
  sentry_dsn:${entry('[odoo_sh_env, vercel_env]')}
  mailgun_api_key:${entry('[supabase_vault]')}
  slack_webhook_url:${entry('[supabase_vault]')}
`;

interface Fake {
  url: string;
  requests: Array<{ url: string; auth: string | undefined }>;
  status: number;
  close(): Promise<void>;
}

async function fakeServer(answer: (url: URL) => unknown): Promise<Fake> {
  const fake: Fake = { url: '', requests: [], status: 200, close: () => Promise.resolve() };
  const server = await listen((req, res) => {
    fake.requests.push({ url: req.url ?? '', auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (fake.status !== 200) {
      res.statusCode = fake.status;
      res.end(JSON.stringify({ message: 'Server Error' }));
      return;
    }
    res.end(JSON.stringify(answer(new URL(req.url ?? '/', 'http://x'))));
  });
  fake.url = server.url;
  fake.close = () => server.close();
  return fake;
}

let db: TestDb;
let pool: pg.Pool;
let github: Fake;
let vercel: Fake;
let root: string;

beforeAll(async () => {
  db = await migratedDb();
  pool = db.pool;
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    // Supabase Vault's table, as a Supabase project has it (the baseline has no vault).
    await c.query(`create schema if not exists vault;
      create table if not exists vault.secrets (
        id uuid primary key default gen_random_uuid(),
        name text unique,
        description text not null default '',
        secret text not null,
        key_id uuid,
        nonce bytea,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    await c.query(`insert into vault.secrets (name, secret) values ('mailgun_api_key', $1), ('unrelated_secret', 'VAULT-VALUE-unrelated-999999')`, [VALUES[0]]);
  } finally {
    await c.end();
  }
  github = await fakeServer(() => ({
    total_count: 2,
    secrets: [
      { name: 'GITHUB_TOKEN', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
      { name: 'OTHER', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
    ],
  }));
  vercel = await fakeServer(() => ({
    envs: [
      { id: 'env1', key: 'GRAFANA_DASHBOARD_URL', type: 'plain', value: VALUES[1], target: ['production'] },
      { id: 'env2', key: 'NEXT_PUBLIC_X', type: 'plain', value: VALUES[2], target: ['production'] },
    ],
  }));
  const schema = 'schemas/ssot/secrets-registry.schema.json';
  root = tree({
    'schemas/map.yaml': `- files: ssot/secrets/registry.yaml\n  schema: ${schema}\n`,
    [schema]: fs.readFileSync(path.join(ENGINE_DIR, schema), 'utf8'),
    'ssot/secrets/registry.yaml': REGISTRY,
  });
}, 120_000);

afterAll(async () => {
  await github?.close();
  await vercel?.close();
  await db?.drop();
});

beforeEach(async () => {
  github.status = 200;
  vercel.status = 200;
  github.requests.length = 0;
  vercel.requests.length = 0;
  await pool.query('delete from ops.secret_sync_runs');
});

function env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    GITHUB_TOKEN,
    GITHUB_API_URL: github.url,
    SECRETS_AUDIT_GITHUB_REPOSITORY: 'acme/odooops-console',
    VERCEL_TOKEN,
    VERCEL_API_URL: vercel.url,
    VERCEL_PROJECT_ID: 'prj_console',
    VERCEL_TEAM_ID: 'team_ops',
    ...extra,
  };
}

/** The audit as `npm run ingest -- secrets` runs it, on the test's registry, with a clock whose retry waits cost nothing. */
function run(e: NodeJS.ProcessEnv, databaseUrl: string | undefined, out: string[]): Promise<number> {
  const redactor = new Redactor();
  const secrets = Secrets.load(new SsotReader(root), e, redactor);
  secrets.redactAll();
  return secretsAudit({ secrets, redactor, env: e, databaseUrl, fetch, clock: new FakeClock(), write: (s) => out.push(s) });
}

async function audit(e: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const code = await run(e, db.url, out);
  const rows = (
    await pool.query<Record<string, unknown>>(
      `select run_id, action, secret_name, target_store, status, present, error, actor, started_at is not null as started, finished_at is not null as finished
         from ops.secret_sync_runs order by secret_name, target_store`,
    )
  ).rows;
  return { code, out: out.join(''), rows };
}

/** Nothing secret in what the audit printed or stored. */
function expectNoValue(...texts: unknown[]): void {
  const all = JSON.stringify(texts);
  for (const v of [...VALUES, 'VAULT-VALUE-unrelated-999999', GITHUB_TOKEN, VERCEL_TOKEN]) expect(all).not.toContain(v);
}

const row = (secret: string, store: string, status: string, present: boolean | null, error: string | null = null) => ({
  action: 'audit',
  secret_name: secret,
  target_store: store,
  status,
  present,
  error,
  actor: 'secrets-audit',
  started: true,
  finished: true,
});

describe('npm run ingest -- secrets', () => {
  it('records present and missing per secret and store, one row per attempt, and never a value', async () => {
    const r = await audit(env());
    const lines = r.out.trimEnd().split('\n');
    expect(lines.slice(0, -2)).toEqual([
      'missing  cloudflare_api_token   github_actions',
      'present  github_token           github_actions',
      'skipped  github_token           supabase_edge_secrets  no presence check for supabase_edge_secrets: it has no API that lists names',
      'present  grafana_dashboard_url  vercel_env',
      'present  mailgun_api_key        supabase_vault',
      'skipped  sentry_dsn             odoo_sh_env            no presence check for odoo_sh_env: it has no API that lists names',
      'missing  sentry_dsn             vercel_env',
      'missing  slack_webhook_url      supabase_vault',
      'missing  vercel_token           github_actions',
    ]);
    expect(lines.at(-1)).toMatch(
      /^audit [0-9a-f-]{36}: 3 present, 4 missing, 0 failed, 2 skipped \(store without a presence check\); recorded in ops\.secret_sync_runs$/,
    );
    expect(r.code).toBe(1);
    expect(r.rows.map(({ run_id: _, ...rest }) => rest)).toEqual([
      row('cloudflare_api_token', 'github_actions', 'succeeded', false),
      row('github_token', 'github_actions', 'succeeded', true),
      row('grafana_dashboard_url', 'vercel_env', 'succeeded', true),
      row('mailgun_api_key', 'supabase_vault', 'succeeded', true),
      row('sentry_dsn', 'vercel_env', 'succeeded', false),
      row('slack_webhook_url', 'supabase_vault', 'succeeded', false),
      row('vercel_token', 'github_actions', 'succeeded', false),
    ]);
    expect(new Set(r.rows.map((x) => x.run_id)).size).toBe(1);
    expectNoValue(r.out, r.rows);
    // Names only: the listing endpoints, Vercel without decrypt, each with its own token.
    expect(github.requests).toEqual([{ url: '/repos/acme/odooops-console/actions/secrets?per_page=100&page=1', auth: `Bearer ${GITHUB_TOKEN}` }]);
    expect(vercel.requests).toEqual([{ url: '/v10/projects/prj_console/env?decrypt=false&teamId=team_ops', auth: `Bearer ${VERCEL_TOKEN}` }]);
  });

  it('makes an API 500 a failed row with its reason, and still checks the other stores', async () => {
    github.status = 500;
    const r = await audit(env());
    expect(r.code).toBe(1);
    const reason = `GitHub GET ${github.url}/repos/acme/odooops-console/actions/secrets?per_page=100&page=1 failed after 3 attempts (1 + 2 retries); the last: HTTP 500`;
    expect(r.out).toContain(`failed   cloudflare_api_token   github_actions         ${reason}\n`);
    expect(r.out).toContain(`failed   github_token           github_actions         ${reason}\n`);
    expect(r.out).toContain('present  grafana_dashboard_url  vercel_env\n');
    expect(r.out).toMatch(/: 2 present, 2 missing, 3 failed, 2 skipped/);
    expect(github.requests).toHaveLength(3);
    expect(r.rows.filter((x) => x.target_store === 'github_actions').map(({ run_id: _, ...rest }) => rest)).toEqual([
      row('cloudflare_api_token', 'github_actions', 'failed', null, reason),
      row('github_token', 'github_actions', 'failed', null, reason),
      row('vercel_token', 'github_actions', 'failed', null, reason),
    ]);
    expectNoValue(r.out, r.rows);
  });

  it('fails the attempts of a store it cannot reach or is not configured for, saying why, and keeps tokens out', async () => {
    vercel.status = 503;
    const r = await audit(env({ GITHUB_TOKEN: undefined, GITHUB_ACTOR: 'octocat' }));
    expect(r.code).toBe(1);
    const noToken = 'GITHUB_TOKEN (registry secret github_token) is not set, so GitHub Actions secrets cannot be listed';
    const down = `Vercel GET ${vercel.url}/v10/projects/prj_console/env?decrypt=false&teamId=team_ops failed after 3 attempts (1 + 2 retries); the last: HTTP 503`;
    expect(r.rows.filter((x) => x.status === 'failed').map((x) => [x.secret_name, x.target_store, x.error, x.actor])).toEqual([
      ['cloudflare_api_token', 'github_actions', noToken, 'github:octocat'],
      ['github_token', 'github_actions', noToken, 'github:octocat'],
      ['grafana_dashboard_url', 'vercel_env', down, 'github:octocat'],
      ['sentry_dsn', 'vercel_env', down, 'github:octocat'],
      ['vercel_token', 'github_actions', noToken, 'github:octocat'],
    ]);
    expect(github.requests).toEqual([]);
    expectNoValue(r.out, r.rows);
  });

  it('records a Vault it cannot read as failed rows with the database error', async () => {
    await pool.query('alter table vault.secrets rename to secrets_moved');
    try {
      const r = await audit(env());
      expect(r.rows.filter((x) => x.target_store === 'supabase_vault').map((x) => [x.secret_name, x.status, x.error])).toEqual([
        ['mailgun_api_key', 'failed', 'Supabase Vault could not be read: relation "vault.secrets" does not exist'],
        ['slack_webhook_url', 'failed', 'Supabase Vault could not be read: relation "vault.secrets" does not exist'],
      ]);
      expectNoValue(r.out, r.rows);
    } finally {
      await pool.query('alter table vault.secrets_moved rename to secrets');
    }
  });

  it('is a configuration error without a database to record in', async () => {
    const out: string[] = [];
    const code = await run(env(), undefined, out);
    expect(code).toBe(2);
    expect(out.join('')).toBe('secrets audit: every attempt is recorded in ops.secret_sync_runs: pass --database-url or set DATABASE_URL\n');
  });
});
