import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGates } from '../gates/core/run.ts';
import { main } from '../gates/main.ts';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import mail from '../policies/mail/index.ts';
import parity from '../policies/parity/index.ts';
import { useTrees } from './helpers/tree.ts';
import { policyById } from './helpers/policy.ts';

const root = path.resolve(import.meta.dirname, '..');
const tree = useTrees();

const byId = policyById;

const PLATFORM = 'version: 1\nlimits:\n  job_timeout_max_seconds: 900\n  cron_threads_max_nonprod: 1\n  workers_max_nonprod: 1\n';

describe('parity and mail gates on a repository without the SSOT files', () => {
  const empty = tree({ 'README.md': '# nothing here\n' });

  it('report each missing file as a finding, never crash', async () => {
    const lines: string[] = [];
    for (const p of [...parity, ...mail]) {
      const r = await runPolicyOn(p, empty);
      expect(r.internalErrors, p.id).toBe(0);
      lines.push(...r.lines);
    }
    expect(lines).toEqual([
      'ssot/jobs.yaml:1:1 error ssot/jobs.yaml is missing, so parity/job-timeouts cannot check the scheduled jobs; add it in the shape of docs/ssot.md [parity/job-timeouts]',
      'ssot/platform.yaml:1:1 error ssot/platform.yaml is missing, so parity/job-timeouts cannot check the job timeout maximum; add it in the shape of docs/ssot.md [parity/job-timeouts]',
      'docs/ops/runbooks/staging-branches.md:1:1 error docs/ops/runbooks/staging-branches.md is missing; it must document single-worker semantics in a "## Concurrency" section [parity/nonprod-concurrency]',
      'ssot/environments/dev.yaml:1:1 error ssot/environments/dev.yaml is missing, so parity/nonprod-concurrency cannot check the worker settings of dev; add it in the shape of docs/ssot.md [parity/nonprod-concurrency]',
      'ssot/environments/stage.yaml:1:1 error ssot/environments/stage.yaml is missing, so parity/nonprod-concurrency cannot check the worker settings of stage; add it in the shape of docs/ssot.md [parity/nonprod-concurrency]',
      'ssot/platform.yaml:1:1 error ssot/platform.yaml is missing, so parity/nonprod-concurrency cannot check the non-production worker limits; add it in the shape of docs/ssot.md [parity/nonprod-concurrency]',
      'ssot/environments/dev.yaml:1:1 error ssot/environments/dev.yaml is missing, so parity/smtp-port cannot check the SMTP port of dev; add it in the shape of docs/ssot.md [parity/smtp-port]',
      'ssot/environments/prod.yaml:1:1 error ssot/environments/prod.yaml is missing, so parity/smtp-port cannot check the SMTP port of prod; add it in the shape of docs/ssot.md [parity/smtp-port]',
      'ssot/environments/stage.yaml:1:1 error ssot/environments/stage.yaml is missing, so parity/smtp-port cannot check the SMTP port of stage; add it in the shape of docs/ssot.md [parity/smtp-port]',
      'ssot/environments/dev.yaml:1:1 error ssot/environments/dev.yaml is missing, so mail/catcher-nonprod cannot check the mail catcher of dev; add it in the shape of docs/ssot.md [mail/catcher-nonprod]',
      'ssot/environments/stage.yaml:1:1 error ssot/environments/stage.yaml is missing, so mail/catcher-nonprod cannot check the mail catcher of stage; add it in the shape of docs/ssot.md [mail/catcher-nonprod]',
      'ssot/integrations/mailgun.yaml:1:1 error ssot/integrations/mailgun.yaml is missing, so mail/mailgun-agreement cannot check the Mailgun settings the environments rely on; add it in the shape of docs/ssot.md [mail/mailgun-agreement]',
    ]);
  });
});

describe('parity and mail gates on malformed SSOT files', () => {
  // Broken YAML is files/yaml-wellformed's; wrong shapes are ssot/schema's. These gates skip, not crash.
  const broken = tree({
    'ssot/platform.yaml': 'version: 1\nlimits: [1, 2\n',
    'ssot/jobs.yaml': 'jobs: "every night"\n',
    'ssot/environments/prod.yaml': '- a list\n- not a map\n',
    'ssot/environments/stage.yaml': 'name: stage\nodoo: 5\nmail: "smtp.mailgun.org:587"\n',
    'ssot/environments/dev.yaml': '\u0000binary',
    'ssot/integrations/mailgun.yaml': 'region: 12\nsmtp: [host]\n',
    'docs/ops/runbooks/staging-branches.md': '\u00ff\u00fe not utf-8?\n',
  });

  it('never throws', async () => {
    for (const p of [...parity, ...mail]) {
      const r = await runPolicyOn(p, broken);
      expect(r.internalErrors, `${p.id}: ${r.lines.join('\n')}`).toBe(0);
    }
  });

  it('leaves wrong shapes to the schema: a mail that is no mapping is not reported twice', async () => {
    const r = await runPolicyOn(byId('mail/catcher-nonprod'), broken);
    expect(r.lines).toEqual([]);
  });

  it('treats jobs entries that are not mappings as nothing to check', async () => {
    const dir = tree({ 'ssot/platform.yaml': PLATFORM, 'ssot/jobs.yaml': 'jobs:\n  - just-a-name\n  - 42\n' });
    const r = await runPolicyOn(byId('parity/job-timeouts'), dir);
    expect(r).toMatchObject({ lines: [], internalErrors: 0 });
  });

  it('leaves a missing platform limit to the schema and says it skipped, naming the place', async () => {
    const dir = tree({ 'ssot/platform.yaml': 'version: 1\nlimits:\n  db_objects_max: 10000\n', 'ssot/jobs.yaml': 'jobs: []\n' });
    const artifactsDir = tree({});
    const result = await runGates({ root: dir, artifactsDir, policies: [byId('parity/job-timeouts')] });
    expect(result.findings).toEqual([]);
    expect(result.policies[0]).toMatchObject({
      status: 'skipped',
      reason: 'limits.job_timeout_max_seconds is not set at ssot/platform.yaml:2 (ssot/schema reports it), so no job timeout can be bounded',
    });
    // …because the platform schema requires the limit, so ssot/schema reports its absence once.
    const schema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../schemas/ssot/platform.schema.json'), 'utf8')) as {
      properties: { limits: { required: string[] } };
    };
    expect(schema.properties.limits.required).toContain('job_timeout_max_seconds');
  });
});

describe('mail/catcher-nonprod and the Mailgun region', () => {
  const env = (host: string) => `name: stage\nmail:\n  SMTP_HOST: ${host}\n  SMTP_PORT: 587\n  SMTP_SECURITY: starttls\n  catcher: {enabled: true}\n`;

  it('asks for the EU host when the region is eu', async () => {
    const dir = tree({
      'ssot/integrations/mailgun.yaml': 'region: eu\nsmtp: {host: smtp.eu.mailgun.org}\n',
      'ssot/environments/stage.yaml': env('smtp.mailgun.org'),
      'ssot/environments/dev.yaml': env('smtp.eu.mailgun.org'),
    });
    const r = await runPolicyOn(byId('mail/catcher-nonprod'), dir);
    expect(r.lines).toEqual([
      'ssot/environments/stage.yaml:3:14 error SMTP_HOST is "smtp.mailgun.org" in stage; non-production mail must go to the Mailgun catcher — set SMTP_HOST: smtp.eu.mailgun.org (Mailgun region eu in ssot/integrations/mailgun.yaml) [mail/catcher-nonprod]',
    ]);
  });

  it('does not hold production to the catcher', async () => {
    const dir = tree({
      'ssot/integrations/mailgun.yaml': 'region: us\n',
      'ssot/environments/prod.yaml': 'name: prod\nmail:\n  SMTP_HOST: smtp.example.com\n',
      'ssot/environments/stage.yaml': env('smtp.mailgun.org'),
      'ssot/environments/dev.yaml': env('smtp.mailgun.org'),
    });
    expect((await runPolicyOn(byId('mail/catcher-nonprod'), dir)).lines).toEqual([]);
  });
});

describe('the repository itself', () => {
  it('passes every parity and mail gate', async () => {
    for (const p of [...parity, ...mail]) {
      const r = await runPolicyOn(p, root);
      expect(r.lines, p.id).toEqual([]);
      expect(r.internalErrors).toBe(0);
    }
  });
});

describe('gates explain', () => {
  // Each parity gate's page states the Odoo.sh restriction it models (ARCHITECTURE §8, Odoo.sh FAQ).
  const restriction: Record<string, RegExp> = {
    'parity/job-timeouts': /scheduled actions have a time limit; an action that hits it\s+repeatedly is disabled by the platform and the admins are notified/,
    'parity/nonprod-concurrency': /staging and development builds run a single worker/,
    'parity/smtp-port': /port 25 is closed; use 465 or 587/,
    'mail/catcher-nonprod': /staging mail never reaches real recipients/,
    'mail/mailgun-agreement': /staging mail never reaches real\s+recipients/,
  };

  it.each(Object.entries(restriction))('%s prints its rationale with the Odoo.sh restriction', async (id, fact) => {
    let out = '';
    const code = await main(['explain', id], { stdout: (s) => (out += s), stderr: () => {}, env: {}, cwd: root, isTTY: false });
    expect(code).toBe(0);
    expect(out.startsWith(`${id} (error): `)).toBe(true);
    const why = out.slice(out.indexOf('## Why'), out.indexOf('## Bad'));
    expect(why).toMatch(/Odoo\.sh/);
    expect(why).toMatch(fact);
  });

  it('covers every parity and mail gate', () => {
    expect([...parity, ...mail].map((p) => p.id).sort()).toEqual(Object.keys(restriction).sort());
  });
});
