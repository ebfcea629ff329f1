import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPolicyOn } from '../gates/testing/fixtures.ts';
import references from '../policies/secrets/references.ts';
import dataSources from '../policies/ssot/data-sources.ts';
import { instead } from '../gates/core/suggest.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssot-secrets-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'repo-'));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

describe('what exists instead of a broken name', () => {
  it('suggests a close name, else lists a few known ones, else nothing', () => {
    expect(instead('ops-do-ingst', ['starters-ingest', 'ops-do-ingest'], 'runners')).toBe(' — did you mean `ops-do-ingest`?');
    expect(instead('stripe-sync', ['b', 'a'], 'runners')).toBe(' — known runners: `a`, `b`');
    expect(instead('zzz-qqq', ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8'], 'ids')).toBe(' — known ids: `a1`, `a2`, `a3`, `a4`, `a5`, `a6` and 2 more');
    expect(instead('x', [], 'ids')).toBe('');
  });
});

describe('ssot/data-sources without migrations', () => {
  it('is silent when the repository has no migrations', async () => {
    const root = tree({ 'ssot/capabilities.yaml': 'version: 1\ncapabilities:\n  - {id: logs, data_source: ops.no_such_table}\n' });
    const { lines, internalErrors } = await runPolicyOn(dataSources, root);
    expect(internalErrors).toBe(0);
    expect(lines).toEqual([]);
  });

  it('checks as soon as one migration exists', async () => {
    const root = tree({
      'ssot/capabilities.yaml': 'version: 1\ncapabilities:\n  - {id: logs, data_source: ops.no_such_table}\n',
      'migrations/20260301000010_ops_schema.sql': 'create schema ops;\ncreate table ops.run_events (id uuid primary key);\n',
    });
    const { lines } = await runPolicyOn(dataSources, root);
    expect(lines).toEqual([
      'ssot/capabilities.yaml:3:29 error `ops.no_such_table` is not a table or view that the migrations create — known ops tables and views: `ops.run_events` — fix the name or add the migration that creates it [ssot/data-sources]',
    ]);
  });
});

describe('secrets/references without a usable registry', () => {
  const ref = 'version: 1\nsmtp:\n  password_secret: mailgun_smtp_password\n';

  it('asks for the registry when there is none', async () => {
    const { lines } = await runPolicyOn(references, tree({ 'ssot/integrations/mailgun.yaml': ref }));
    expect(lines).toEqual([
      'ssot/integrations/mailgun.yaml:3:20 error secret `mailgun_smtp_password` is referenced but there is no ssot/secrets/registry.yaml; register every secret there by name [secrets/references]',
    ]);
  });

  it('leaves a registry that does not parse to the YAML and schema gates', async () => {
    const root = tree({ 'ssot/integrations/mailgun.yaml': ref, 'ssot/secrets/registry.yaml': 'version: 1\nsecrets: [unclosed\n' });
    const { lines, internalErrors } = await runPolicyOn(references, root);
    expect(internalErrors).toBe(0);
    expect(lines).toEqual([]);
  });
});
