import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles } from '../scripts/check-cycles.ts';
import { makeTree } from './helpers/tree.ts';

const ENGINE = path.resolve(import.meta.dirname, '..');

describe('the import-cycle check', () => {
  it('finds a cycle closed by a dynamic import (the old docs/parity-drift → policies/index.ts one)', () => {
    const root = makeTree({
      'policies/index.ts': "import docs from './docs/index.ts';\nexport const policies = [...docs];\n",
      'policies/docs/index.ts': "import drift from './parity-drift.ts';\nexport default [drift];\n",
      'policies/docs/parity-drift.ts': "export default { async check() { const { policies } = await import('../index.ts'); return policies; } };\n",
    });
    expect(findCycles(root)).toEqual([['policies/docs/index.ts', 'policies/docs/parity-drift.ts', 'policies/index.ts', 'policies/docs/index.ts']]);
  });

  it('finds static cycles, re-exports and a module importing itself', () => {
    const root = makeTree({
      'gates/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'gates/b.ts': "export { a as b } from './a.ts';\n",
      'gates/self.ts': "import './self.ts';\n",
    });
    expect(findCycles(root)).toEqual([
      ['gates/a.ts', 'gates/b.ts', 'gates/a.ts'],
      ['gates/self.ts', 'gates/self.ts'],
    ]);
  });

  it('ignores type-only imports (erased at run time), packages and fixtures', () => {
    const root = makeTree({
      'gates/a.ts':
        "import type { B } from './b.ts';\nimport { type C } from './c.ts';\nimport fs from 'node:fs';\nexport type A = B | C;\nexport const f = fs;\n",
      'gates/b.ts': "import { f } from './a.ts';\nexport type B = typeof f;\n",
      'gates/c.ts': "import { f } from './a.ts';\nexport type C = typeof f;\n",
      'policies/x/__fixtures__/y/valid/loop.ts': "import './loop.ts';\n",
    });
    expect(findCycles(root)).toEqual([]);
  });

  it('passes on this repository, and its command line fails on a cycle', () => {
    expect(findCycles(ENGINE)).toEqual([]);
    const root = makeTree({ 'gates/a.ts': "import './b.ts';\n", 'gates/b.ts': "import './a.ts';\n" });
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ENGINE, 'scripts/check-cycles.ts'), root], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('import cycle: gates/a.ts → gates/b.ts → gates/a.ts');
  });
});
