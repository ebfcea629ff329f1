import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePolicy } from '../gates/core/policy.ts';
import { docsExamples, runDocsExample } from '../gates/testing/docs-examples.ts';
import { policies } from '../policies/index.ts';
import { policyById } from './helpers/policy.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

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
describe.each(policies.map((p) => [p.id, p] as const))('%s docs page', (_id, policy) => {
  const examples = docsExamples(fs.readFileSync(path.join(ROOT, policy.docs), 'utf8'));

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

describe('a docs example with history (at=base)', () => {
  const page = (...blocks: string[]): string => ['# x', '', '## Bad', '', ...blocks, '', '## Good', ''].join('\n');
  const block = (info: string, text: string): string => `\`\`\`sql ${info}\n${text}\n\`\`\``;
  const FIRST = 'migrations/20260301120000_create_jobs.sql';
  const SECOND = 'migrations/20260302090000_add_jobs_priority.sql';
  const CREATE = 'create table public.jobs (\n  id bigint generated always as identity primary key,\n  name text not null\n);';

  it('is read from the fence: at=base marks a block, any other place is an error at its line', () => {
    const [example] = docsExamples(page(block(`path=${FIRST} at=base`, CREATE), block(`path=${FIRST}`, 'select 1;')));
    expect(example?.files).toEqual([
      { path: FIRST, text: `${CREATE}\n`, line: 5, at: 'base' },
      { path: FIRST, text: 'select 1;\n', line: 11 },
    ]);
    expect(() => docsExamples(page(block(`path=${FIRST} at=head`, CREATE)))).toThrow('line 5: at=head is not known');
  });

  // A probe under the id of migrations/history (its valid tree, and its options: a --base that is no commit).
  const probe = definePolicy({
    id: 'migrations/history',
    title: 'what the example repository looks like',
    severity: 'notice',
    appliesTo: ['**'],
    messages: { seen: '{{file}}' },
    check(ctx) {
      const base = ctx.options.base ?? '';
      const known = ctx.git.commitExists(base);
      return ctx.files.map((file) => ({
        file,
        line: 1,
        messageId: 'seen',
        data: { file, base, known, onBase: known && ctx.git.show(base, file) !== undefined, same: known && ctx.git.show(base, file) === ctx.text(file) },
      }));
    },
  });

  it('commits the valid tree and the at=base blocks as the base, then writes the change over it', async () => {
    const [example] = docsExamples(
      page(block(`path=${FIRST} at=base`, CREATE), block(`path=${FIRST}`, `${CREATE} -- edited`), block(`path=${SECOND}`, 'select 1;')),
    );
    const r = await runDocsExample(probe, example as NonNullable<typeof example>);
    expect(r.internalErrors).toBe(0);
    expect(r.lines.map((l) => l.replace(/^\S+ notice seen /, ''))).toEqual([
      '{"file":"docs/README.md","base":"base","known":true,"onBase":true,"same":true}',
      `{"file":"${FIRST}","base":"base","known":true,"onBase":true,"same":false}`,
      `{"file":"${SECOND}","base":"base","known":true,"onBase":false,"same":false}`,
    ]);
  });

  it('leaves an example without at=base as it was: no repository, the fixture options', async () => {
    const [example] = docsExamples(page(block(`path=${FIRST}`, CREATE)));
    const r = await runDocsExample(probe, example as NonNullable<typeof example>);
    expect(r.lines.map((l) => l.replace(/^\S+ notice seen /, ''))).toEqual([
      '{"file":"docs/README.md","base":"no-such-ref-for-the-fixture","known":false,"onBase":false,"same":false}',
      `{"file":"${FIRST}","base":"no-such-ref-for-the-fixture","known":false,"onBase":false,"same":false}`,
    ]);
  });

  it('lets migrations/history see an applied migration edited', async () => {
    const [example] = docsExamples(page(block(`path=${FIRST} at=base`, CREATE), block(`path=${FIRST}`, CREATE.replace('name text', 'name varchar(80)'))));
    const r = await runDocsExample(policyById('migrations/history'), example as NonNullable<typeof example>);
    expect(r.lines.map((l) => l.replace(/,"diff":.*$/, ''))).toEqual([
      `${FIRST}:3:1-3:28 error edited {"base":"base","summary":"line 3: -\\"  name text not null\\" +\\"  name varchar(80) not null\\""`,
    ]);
  });
});
