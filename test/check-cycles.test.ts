import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, processEscapes } from '../scripts/check-cycles.ts';
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

  it('passes on this repository, and its command line fails on a policy that can start a process', () => {
    expect(processEscapes(ENGINE)).toEqual([]);
    const root = makeTree({ 'policies/a.ts': "import { execFileSync } from 'node:child_process';\nexport const a = () => execFileSync('git', ['log']);\n" });
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ENGINE, 'scripts/check-cycles.ts'), root], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('policy can start a process: policies/a.ts\n');
    expect(r.stderr).toContain('a policy reads history through ctx.git');
  });
});

describe('the hermetic-policy check', () => {
  it('finds child_process in a policy however it is loaded', () => {
    const root = makeTree({
      'policies/a/static.ts': "import { spawnSync } from 'node:child_process';\nexport default spawnSync;\n",
      'policies/a/bare.ts': "import * as cp from 'child_process';\nexport default cp;\n",
      'policies/a/dynamic.ts': "export default async () => (await import('node:child_process')).execFileSync('git', ['show']);\n",
      'policies/a/required.ts': "import { createRequire } from 'node:module';\nexport default createRequire(import.meta.url)('child_process');\n",
      'policies/a/reexport.ts': "export { execFile } from 'node:child_process';\n",
      'policies/a/fine.ts': "// child_process is only named in this comment\nimport fs from 'node:fs';\nexport default fs;\n",
    });
    expect(processEscapes(root)).toEqual([
      ['policies/a/bare.ts'],
      ['policies/a/dynamic.ts'],
      ['policies/a/reexport.ts'],
      ['policies/a/required.ts'],
      ['policies/a/static.ts'],
    ]);
  });

  it('follows the modules a policy loads at run time into the engine, up to child_process or the git runner', () => {
    const root = makeTree({
      'gates/core/git.ts': 'export const git = (args: string[]) => args;\nexport interface GitView { show(ref: string, file: string): string | undefined }\n',
      'gates/db/history.ts': "import { git } from '../core/git.ts';\nexport const filesAt = (ref: string) => git(['ls-tree', ref]);\n",
      'gates/db/spawn.ts': "import { spawn } from 'node:child_process';\nexport const run = spawn;\n",
      'gates/db/lazy.ts': "export const later = () => import('./spawn.ts');\n",
      'policies/m/history.ts': "import { filesAt } from '../../gates/db/history.ts';\nexport default filesAt;\n",
      'policies/m/lazy.ts': "import { later } from '../../gates/db/lazy.ts';\nexport default later;\n",
      'policies/m/typed.ts': "import type { GitView } from '../../gates/core/git.ts';\nexport const show = (git: GitView) => git.show('base', 'x');\n",
      // Outside policies/, the engine runs git: not a policy's business.
      'gates/core/repo.ts': "import { git } from './git.ts';\nexport const files = () => git(['ls-files']);\n",
      'policies/m/__fixtures__/x/valid/tool.ts': "import 'node:child_process';\n",
    });
    expect(processEscapes(root)).toEqual([
      ['policies/m/history.ts', 'gates/db/history.ts', 'gates/core/git.ts'],
      ['policies/m/lazy.ts', 'gates/db/lazy.ts', 'gates/db/spawn.ts'],
    ]);
  });
});
