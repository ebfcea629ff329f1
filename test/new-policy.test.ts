import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree } from './helpers/tree.ts';

const ENGINE = path.resolve(import.meta.dirname, '..');

/** A copy of the repository's own files (tracked and untracked, not ignored) with node_modules linked. */
function copyOfRepo(): string {
  const root = makeTree({});
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ENGINE, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    const from = path.join(ENGINE, f);
    if (!fs.existsSync(from)) continue;
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.cpSync(from, path.join(root, f), { verbatimSymlinks: true });
  }
  fs.symlinkSync(path.join(ENGINE, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (f.split(path.sep)[0] === 'node_modules') continue;
    const abs = path.join(root, f);
    if (fs.lstatSync(abs).isFile()) out.set(f.split(path.sep).join('/'), createHash('sha256').update(fs.readFileSync(abs)).digest('hex'));
  }
  return out;
}

const run = (root: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: root, encoding: 'utf8' });

describe('npm run new-policy', () => {
  it('writes a policy in a new and in an existing area that the meta-tests and the type check accept as it is', () => {
    const root = copyOfRepo();
    const before = snapshot(root);
    for (const id of ['demo/sample-rule', 'ssot/sample-rule']) {
      const r = run(root, ['scripts/new-policy.ts', id]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const after = snapshot(root);
    const changed = [...after.keys()].filter((f) => before.get(f) !== after.get(f)).sort();
    expect(changed).toEqual([
      'docs/policies/demo/sample-rule.md',
      'docs/policies/ssot/sample-rule.md',
      'policies/demo/__fixtures__/sample-rule/invalid/example-is-bad.expected',
      'policies/demo/__fixtures__/sample-rule/invalid/example-is-bad/ssot/example.yaml',
      'policies/demo/__fixtures__/sample-rule/valid/ssot/example.yaml',
      'policies/demo/index.ts',
      'policies/demo/sample-rule.ts',
      'policies/ids.ts',
      'policies/index.ts',
      'policies/ssot/__fixtures__/sample-rule/invalid/example-is-bad.expected',
      'policies/ssot/__fixtures__/sample-rule/invalid/example-is-bad/ssot/example.yaml',
      'policies/ssot/__fixtures__/sample-rule/valid/ssot/example.yaml',
      'policies/ssot/index.ts',
      'policies/ssot/sample-rule.ts',
    ]);
    // The meta-tests: registry, ids, docs page, fixtures of the new policies, and their docs examples.
    const vitest = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules/vitest/vitest.mjs'),
        'run',
        'test/policy-fixtures.test.ts',
        'test/docs-examples.test.ts',
        '-t',
        'sample-rule|policy registry',
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    expect(vitest.stdout).toMatch(/Tests\s+\d+ passed/);
    const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root], { cwd: root, encoding: 'utf8' });
    expect(tsc.status, tsc.stdout).toBe(0);
    expect(fs.readFileSync(path.join(root, 'policies/ids.ts'), 'utf8')).toContain("| 'demo/sample-rule'");
  }, 300_000);

  it('refuses an id of the wrong form or one that exists', () => {
    const root = copyOfRepo();
    expect(run(root, ['scripts/new-policy.ts', 'NoArea']).stderr).toContain('policy id must be area/kebab-name');
    const r = run(root, ['scripts/new-policy.ts', 'parity/smtp-port']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('policies/parity/smtp-port.ts already exists');
  });
});
