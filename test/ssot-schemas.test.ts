import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import { Repo } from '../gates/core/repo.ts';
import { SchemaSet } from '../gates/core/schema.ts';
import schemaPolicy from '../policies/ssot/schema.ts';

const root = path.resolve(import.meta.dirname, '..');
const cases = path.join(root, 'test', '__fixtures__', 'ssot-schemas');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-schemas-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A throwaway repository holding the real schemas and map plus the SSOT files `cases` lists. */
function repoWith(files: ReadonlyArray<{ target: string; source: string }>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
  fs.cpSync(path.join(root, 'schemas', 'ssot'), path.join(dir, 'schemas', 'ssot'), { recursive: true });
  fs.copyFileSync(path.join(root, 'schemas', 'map.yaml'), path.join(dir, 'schemas', 'map.yaml'));
  for (const { target, source } of files) {
    fs.mkdirSync(path.join(dir, path.dirname(target)), { recursive: true });
    fs.copyFileSync(path.join(cases, source), path.join(dir, target));
  }
  return dir;
}

function ssotFiles(): string[] {
  return new Repo({ root, artifactsDir: path.join(tmp, 'artifacts') }).glob(['ssot/**/*.yaml', 'ssot/**/*.yml']);
}

describe('the real SSOT', () => {
  it('passes every schema', async () => {
    const { lines, internalErrors } = await runPolicyOn(schemaPolicy, root);
    expect(internalErrors).toBe(0);
    expect(lines).toEqual([]);
  });

  it('has every file of the plan, each governed by a schema', () => {
    const files = ssotFiles();
    for (const f of [
      'ssot/platform.yaml',
      'ssot/secrets/registry.yaml',
      'ssot/integrations/catalog.yaml',
      'ssot/integrations/mailgun.yaml',
      'ssot/providers/digitalocean/provider.yaml',
      'ssot/environments/prod.yaml',
      'ssot/environments/stage.yaml',
      'ssot/environments/dev.yaml',
      'ssot/jobs.yaml',
      'ssot/capabilities.yaml',
      'ssot/modules/waves.yaml',
      'ssot/sources/github/vercel_examples.yaml',
      'ssot/console/nav.yaml',
      'ssot/observability.yaml',
    ]) {
      expect(files, f).toContain(f);
    }
    const schemas = SchemaSet.of(new Repo({ root, artifactsDir: path.join(tmp, 'artifacts') }));
    for (const f of files) expect(schemas.choose(f).choice?.schema, f).toBeDefined();
  });
});

// One small invalid example per schema; each line is what an engineer sees, at the exact place.
const INVALID: ReadonlyArray<{ target: string; source: string; expected: string[] }> = [
  {
    target: 'ssot/platform.yaml',
    source: 'platform.yaml',
    expected: [
      'ssot/platform.yaml:2:1 error missing required key `workers_max_nonprod` in `limits` [ssot/schema]',
      'ssot/platform.yaml:4:26 error `limits.db_objects_warn_ratio` must be < 1, got the integer 80 [ssot/schema]',
    ],
  },
  {
    target: 'ssot/secrets/registry.yaml',
    source: 'registry.yaml',
    expected: [
      'ssot/secrets/registry.yaml:3:3 error key `MailgunApiKey` in `secrets` must match ^[a-z][a-z0-9]*(_[a-z0-9]+)*$ [ssot/schema]',
      'ssot/secrets/registry.yaml:8:20 error `secrets.MailgunApiKey.environments[0]` must be one of `prod`, `stage`, `dev`, `ci`, got the string "production" [ssot/schema]',
    ],
  },
  {
    target: 'ssot/integrations/catalog.yaml',
    source: 'catalog.yaml',
    expected: [
      'ssot/integrations/catalog.yaml:7:13 error `integrations[0].status` must be "installed", got the string "available" [ssot/schema]',
      'ssot/integrations/catalog.yaml:9:11 error `integrations[0].docs` must match ^https://, got the string "http://documentation.mailgun.com/" (Link to the vendor\'s documentation (https).) [ssot/schema]',
    ],
  },
  {
    target: 'ssot/integrations/mailgun.yaml',
    source: 'mailgun.yaml',
    expected: [
      'ssot/integrations/mailgun.yaml:6:9 error `smtp.host` must be "smtp.eu.mailgun.org", got the string "smtp.mailgun.org" [ssot/schema]',
      'ssot/integrations/mailgun.yaml:8:14 error `smtp.ports[0].port` must be one of 465, 587, 2525, got the integer 25 [ssot/schema]',
      'ssot/integrations/mailgun.yaml:9:29 error `smtp.ports[1].security` must be "tls", got the string "starttls" [ssot/schema]',
    ],
  },
  {
    target: 'ssot/providers/digitalocean/provider.yaml',
    source: 'provider.yaml',
    expected: [
      'ssot/providers/digitalocean/provider.yaml:8:16 error `retry.max_retries` must be <= 5, got the integer 10 [ssot/schema]',
      'ssot/providers/digitalocean/provider.yaml:9:8 error `retry.on[0]` must be one of 429, 500, 502, 503, 504, got the integer 404 [ssot/schema]',
      'ssot/providers/digitalocean/provider.yaml:17:15 error `resources[0].per_page` must be <= 200, got the integer 500 [ssot/schema]',
    ],
  },
  {
    target: 'ssot/environments/stage.yaml',
    source: 'stage.yaml',
    expected: [
      'ssot/environments/stage.yaml:4:1 error missing required key `source` in `database` [ssot/schema]',
      'ssot/environments/stage.yaml:5:11 error `database.policy` must be "neutralized_copy", got the string "fresh" [ssot/schema]',
      'ssot/environments/stage.yaml:15:14 error `mail.SMTP_PORT` must be an integer, got the string "587" [ssot/schema]',
    ],
  },
  {
    target: 'ssot/jobs.yaml',
    source: 'jobs.yaml',
    expected: [
      'ssot/jobs.yaml:3:5 error missing required key `runner` in `jobs[0]` [ssot/schema]',
      'ssot/jobs.yaml:9:5 error missing required key `timeout_seconds` in `jobs[1]` [ssot/schema]',
      'ssot/jobs.yaml:13:15 error `jobs[1].schedule` must match ^[0-9*/,-]+( [0-9*/,-]+){4}$, got the string "every 5 minutes" (Cron expression (5 fields, UTC).) [ssot/schema]',
      'ssot/jobs.yaml:15:5 error unknown key `timeout` in `jobs[1]` — allowed keys: `id`, `kind`, `runner`, `model`, `method`, `description`, `schedule`, `environments`, `timeout_seconds`, `auto_disable` [ssot/schema]',
    ],
  },
  {
    target: 'ssot/capabilities.yaml',
    source: 'capabilities.yaml',
    expected: [
      'ssot/capabilities.yaml:6:18 error `capabilities[0].data_source` must match ^(ops\\.[a-z][a-z0-9_]*|supabase:(database|auth|functions|realtime|storage|vault|branches|logs|metrics))$, got the string "public.users" (Where the page reads the capability\'s state: an ops table (ops.<table>) that a migration creates, or a Supabase API (supabase:<api>).) [ssot/schema]',
      'ssot/capabilities.yaml:12:23 error `capabilities[1].baseline_allowed` must be false, got the boolean true [ssot/schema]',
    ],
  },
  {
    target: 'ssot/modules/waves.yaml',
    source: 'waves.yaml',
    expected: [
      'ssot/modules/waves.yaml:2:14 error `odoo_series` must be a string, got the integer 18 [ssot/schema]',
      'ssot/modules/waves.yaml:4:11 error `waves[0].wave` must be <= 4, got the integer 5 [ssot/schema]',
      'ssot/modules/waves.yaml:8:16 error `waves[0].modules[1].name` must match ^[a-z][a-z0-9_]*$, got the string "web-responsive" (Technical name of the module (its folder in the repository).) [ssot/schema]',
      'ssot/modules/waves.yaml:8:44 error `waves[0].modules[1].repository` must match ^OCA/[a-z0-9]+(-[a-z0-9]+)*$, got the string "web" (The OCA repository holding the module, e.g. OCA/server-tools.) [ssot/schema]',
    ],
  },
  {
    target: 'ssot/sources/github/vercel_examples.yaml',
    source: 'vercel_examples.yaml',
    expected: [
      'ssot/sources/github/vercel_examples.yaml:6:16 error `deploy_button` must match ^https://vercel\\.com/new/clone\\?repository-url=\\{repository_url\\}(&[a-z-]+=[^&\\s]+)*$, got the string "https://vercel.com/new?repository-url={repository_url}" (Vercel Deploy Button URL template; {repository_url} is the URL-encoded tree URL of the entry, {slug} its slug.) [ssot/schema]',
      'ssot/sources/github/vercel_examples.yaml:7:15 error `target_table` must match ^ops\\.[a-z][a-z0-9_]*$, got the string "starters" (The ops table entries are upserted into.) [ssot/schema]',
    ],
  },
  {
    target: 'ssot/console/nav.yaml',
    source: 'nav.yaml',
    expected: [
      'ssot/console/nav.yaml:4:12 error `routes[1].path` must match ^/([a-z0-9-]+(/[a-z0-9-]+)*)?$, got the string "logs" (URL path of the page: lowercase segments, no trailing slash.) [ssot/schema]',
      'ssot/console/nav.yaml:5:12 error `routes[2].path` must match ^/([a-z0-9-]+(/[a-z0-9-]+)*)?$, got the string "/control-plane/" (URL path of the page: lowercase segments, no trailing slash.) [ssot/schema]',
      'ssot/console/nav.yaml:6:5 error missing required key `label` in `routes[3]` [ssot/schema]',
    ],
  },
  {
    target: 'ssot/database/contract.yaml',
    source: 'contract.yaml',
    expected: [
      'ssot/database/contract.yaml:3:3 error key `run_events` in `tables` must match ^[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*$ [ssot/schema]',
      'ssot/database/contract.yaml:8:14 error `tables["ops.mail_events"].used_by` must have at least 1 items, got a list of 0 [ssot/schema]',
      'ssot/database/contract.yaml:11:20 error `tables["ops.mail_events"].columns.received_at` must be a string, got the integer 42 [ssot/schema]',
    ],
  },
  {
    target: 'ssot/observability.yaml',
    source: 'observability.yaml',
    expected: [
      'ssot/observability.yaml:6:5 error unknown key `url` in `metrics.grafana_dashboard_url` — allowed keys: `env`, `secret` [ssot/schema]',
      'ssot/observability.yaml:8:89 error `metrics.panels[0].unit` must be one of `count`, `seconds`, `percent`, `bytes`, got the string "nodes" [ssot/schema]',
    ],
  },
  {
    target: 'ssot/waivers.yaml',
    source: 'waivers.yaml',
    expected: [
      'ssot/waivers.yaml:3:5 error missing required key `fingerprint` in `waivers[0]` [ssot/schema]',
      'ssot/waivers.yaml:9:13 error `waivers[1].reason` must have at least 10 characters, got the string "later" [ssot/schema]',
      'ssot/waivers.yaml:11:14 error `waivers[1].expires` must be a valid date, got the string "next quarter" [ssot/schema]',
    ],
  },
];

describe('invalid SSOT files', () => {
  // All examples live in one repository (one per schema, each at its real path), checked once.
  let run: Promise<{ lines: string[]; internalErrors: number }> | undefined;
  const result = () => (run ??= runPolicyOn(schemaPolicy, repoWith(INVALID)));

  it('cover every schema of the map', () => {
    const mapped = new Set(SchemaSet.of(new Repo({ root, artifactsDir: path.join(tmp, 'artifacts') })).map.map((e) => e.schema));
    const schemas = SchemaSet.of(new Repo({ root: repoWith(INVALID), artifactsDir: path.join(tmp, 'artifacts') }));
    const covered = new Set(INVALID.map((c) => schemas.choose(c.target).choice?.schema));
    expect([...covered].sort()).toEqual([...mapped].sort());
  });

  it('yield nothing but the expected lines', async () => {
    const { lines, internalErrors } = await result();
    expect(internalErrors).toBe(0);
    expect([...lines].sort()).toEqual(INVALID.flatMap((c) => c.expected).sort());
  });

  it.each(INVALID.map((c) => [c.target, c] as const))('%s fails its schema at the exact lines', async (target, c) => {
    const { lines } = await result();
    expect(c.expected.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.startsWith(`${target}:`))).toEqual(c.expected);
  });
});
