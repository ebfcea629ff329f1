import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePolicy, skip } from '../gates/core/policy.ts';
import { runGates } from '../gates/core/run.ts';
import { junit } from '../gates/reporters/junit.ts';
import { markdown } from '../gates/reporters/markdown.ts';
import { stylish } from '../gates/reporters/stylish.ts';
import { makeTree } from './helpers/tree.ts';

// A policy that could not run is shown as skipped with its reason in every human report, never as passed.
describe('a policy that skipped itself', () => {
  const policy = definePolicy({
    id: 'test/cannot-run',
    title: 'cannot run here',
    severity: 'error',
    appliesTo: ['**'],
    check: () => skip('the replay failed at migrations/x.sql:4'),
  });
  const root = makeTree({ 'x.txt': 'x\n' });
  const run = () => runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies: [policy] });

  it('is named with its reason by stylish, markdown and junit', async () => {
    const result = await run();
    expect(stylish(result, { color: false })).toContain('○ test/cannot-run skipped: the replay failed at migrations/x.sql:4');
    const md = markdown(result, { color: false });
    expect(md).toContain('- `test/cannot-run` skipped: the replay failed at migrations/x.sql:4');
    expect(md).toContain('0 of 1 policies ran.');
    expect(junit(result, { color: false })).toContain('<skipped message="the replay failed at migrations/x.sql:4"/>');
  });
});
