import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { NOT_AFFECTED } from '../gates/core/run.ts';
import { conclusionOf } from '../gates/github/checks.ts';
import { toJsonReport } from '../gates/reporters/json.ts';
import { reporters } from '../gates/reporters/index.ts';
import { policyRun, result } from './reporters-canned.ts';

// A run where the replay failed: the policies that need it could not run, and one policy was not
// affected by a pull request's change. No format may show the first kind as passed.
const WHY =
  'the replay stopped at supabase/migrations/20240101000000_a.sql:4 (division by zero; see migrations/replay), so the schema after all migrations is unknown';
const r = result(
  [],
  [
    policyRun('migrations/replay'),
    policyRun('migrations/catalog', { status: 'skipped', reason: WHY }),
    policyRun('spec/tasks', { status: 'skipped', reason: NOT_AFFECTED }),
  ],
);
const ctx = { color: false };

describe('a policy that could not run', () => {
  it('stylish lists it with its reason and does not say passed', () => {
    expect(reporters.stylish?.(r, ctx)).toBe(
      [
        '',
        '⊘ 1 policy skipped: it could not run, so it has not passed',
        `  migrations/catalog  ${WHY}`,
        '⊘ no problems found, but not every policy ran (1 policy ran, 1 skipped)',
        '',
      ]
        .join('\n')
        .replace(/^\n/, ''),
    );
  });

  it('json carries status skipped and the reason (schema: reason)', () => {
    const j = toJsonReport(r) as { policies: Array<{ id: string; status: string; reason?: string }> };
    expect(j.policies.find((p) => p.id === 'migrations/catalog')).toMatchObject({ status: 'skipped', reason: WHY });
    expect(j.policies.find((p) => p.id === 'migrations/replay')).not.toHaveProperty('reason');
    const schema = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../schemas/artifacts/gate-report.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(j), JSON.stringify(validate.errors)).toBe(true);
  });

  it('junit marks it skipped with the reason as message', () => {
    const x = reporters.junit?.(r, ctx) ?? '';
    expect(x).toContain(`<skipped message="${WHY}"/>`);
    expect(x).toContain('<skipped message="no changed file matches its globs"/>');
    expect(x).toContain('skipped="2"');
  });

  it('sarif says it in a tool execution notification', () => {
    const s = JSON.parse(reporters.sarif?.(r, ctx) ?? '{}') as { runs: Array<{ invocations: Array<{ toolExecutionNotifications?: unknown[] }> }> };
    expect(s.runs[0]?.invocations[0]?.toolExecutionNotifications).toEqual([
      { level: 'warning', message: { text: `migrations/catalog skipped: ${WHY}` }, descriptor: { id: 'migrations/catalog' } },
    ]);
  });

  it('markdown does not say passed and lists the reason', () => {
    const m = reporters.markdown?.(r, ctx) ?? '';
    expect(m).toContain('## OdooOps Gates: ⊘ no findings, but not every policy ran');
    expect(m).toContain(`| \`migrations/catalog\` | ${WHY} |`);
    expect(m).not.toContain('✔ passed');
  });

  it('github workflow commands warn once per skipped policy', () => {
    expect(reporters.github?.(r, ctx)).toBe(`::warning title=migrations/catalog skipped::${WHY}\n`);
  });

  it('makes the check run neutral, never success', () => {
    expect(conclusionOf(r)).toBe('neutral');
    expect(conclusionOf(result([], [policyRun('migrations/replay'), policyRun('spec/tasks', { status: 'skipped', reason: NOT_AFFECTED })]))).toBe('success');
  });
});
