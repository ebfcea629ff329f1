import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { docsExamples, runDocsExample } from '../gates/testing/docs-examples.ts';
import { policies } from '../policies/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Pages whose Bad/Good blocks are not runnable yet (no `path=` block). This list only shrinks: a
 * listed page that gains runnable examples fails here until it is taken off.
 */
const NOT_RUNNABLE_YET = new Set<string>([
  'files/yaml-wellformed',
  'migrations/catalog',
  'migrations/db-contract',
  'migrations/file-names',
  'migrations/history',
  'migrations/lint',
  'migrations/object-budget',
  'migrations/replay',
  'migrations/seeds',
  'migrations/syntax',
  'ssot/data-sources',
  'ssot/editor-schemas',
  'ssot/references',
  'ssot/schema',
  'ssot/schema-coverage',
  'ssot/unique-ids',
]);

describe('the docs examples reader', () => {
  it('gathers the path= blocks of a section into one example, with the policies they run with', () => {
    const page = [
      '## Bad',
      '```yaml path=ssot/waivers.yaml with=secrets/no-values',
      'version: 1',
      '```',
      '```text',
      'an illustration',
      '```',
      '```yaml path="ssot/environments/stage.yaml" with=parity/smtp-port,secrets/no-values',
      'name: stage',
      '```',
      '## Good',
      '```yaml path=ssot/waivers.yaml',
      'waivers: []',
      '```',
    ].join('\n');
    expect(docsExamples(page)).toEqual([
      {
        kind: 'bad',
        files: [
          { path: 'ssot/waivers.yaml', text: 'version: 1\n', line: 2 },
          { path: 'ssot/environments/stage.yaml', text: 'name: stage\n', line: 8 },
        ],
        with: ['secrets/no-values', 'parity/smtp-port'],
      },
      { kind: 'good', files: [{ path: 'ssot/waivers.yaml', text: 'waivers: []\n', line: 12 }], with: [] },
    ]);
  });
});

// Every Bad and Good example of a docs page runs through its policy, as typescript-eslint's docs test does.
describe.each(policies.map((p) => [p.id, p] as const))('%s docs page', (id, policy) => {
  const examples = docsExamples(fs.readFileSync(path.join(ROOT, policy.docs), 'utf8'));

  if (NOT_RUNNABLE_YET.has(id)) {
    it('is still listed as having no runnable example', () => {
      expect(examples).toEqual([]);
    });
    return;
  }

  it('has a runnable Bad and a runnable Good example', () => {
    expect(examples.map((e) => e.kind)).toEqual(expect.arrayContaining(['bad', 'good']));
  });

  it.each(examples.map((e, i) => [`${e.kind} #${i + 1} (${e.files.map((f) => `${f.path} at line ${f.line}`).join(', ')})`, e] as const))(
    'example %s',
    async (_, example) => {
      const r = await runDocsExample(policy, example);
      expect(r.internalErrors).toBe(0);
      if (example.kind === 'good') expect(r.lines).toEqual([]);
      else {
        expect(r.lines.length).toBeGreaterThan(0);
        // The Bad example is what the policy points at.
        const written = new Set(example.files.map((f) => f.path));
        expect(r.lines.filter((l) => written.has(l.slice(0, l.indexOf(':')))).length, r.lines.join('\n')).toBeGreaterThan(0);
      }
    },
  );
});
