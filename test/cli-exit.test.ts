import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git, write } from './github-repo.ts';

const ENGINE = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-exit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The real CLI in its own process, limited to the files area so other policies cannot change the verdict. */
function cli(root: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' };
  const r = spawnSync(path.join(ENGINE, 'node_modules/.bin/tsx'), [path.join(ENGINE, 'gates/cli.ts'), 'check', '--root', root, '--only', 'files', ...args], {
    cwd: tmp,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const formats = (name: string) => [
  '--format',
  `sarif:${name}/g.sarif`,
  '--format',
  `junit:${name}/j.xml`,
  '--format',
  `markdown:${name}/s.md`,
  '--format',
  'github',
];

describe('gates check, end to end', () => {
  it('exits 0 on a clean repository and writes every format', () => {
    const root = path.join(tmp, 'clean');
    write(root, 'conf/a.yaml', 'a: 1\n');
    const r = cli(root, ...formats('clean'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'clean/g.sarif'), 'utf8')).runs[0].results).toEqual([]);
    expect(fs.readFileSync(path.join(tmp, 'clean/j.xml'), 'utf8')).toContain('failures="0" errors="0"');
    expect(fs.readFileSync(path.join(tmp, 'clean/s.md'), 'utf8')).toMatch(/^## OdooOps Gates: ✔ passed\n/);
  });

  it('exits 1 on an error-level finding', () => {
    const root = path.join(tmp, 'dirty');
    write(root, 'conf/a.yaml', 'a: 1\na: 2\n');
    const r = cli(root, ...formats('dirty'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      '::error file=conf/a.yaml,line=2,endLine=2,col=1,endColumn=1,title=files/yaml-wellformed::duplicate key `a`; it is first defined at line 1 — remove or rename one of them\n',
    );
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'dirty/g.sarif'), 'utf8')).runs[0].results).toHaveLength(1);
    expect(fs.readFileSync(path.join(tmp, 'dirty/j.xml'), 'utf8')).toContain('failures="1" errors="0"');
  });

  it('exits 2 on a usage error and on a shallow clone in pull-request mode', () => {
    expect(cli(tmp, '--annotate', 'nope').code).toBe(2);
    const origin = path.join(tmp, 'origin');
    write(origin, 'conf/a.yaml', 'a: 1\n');
    git(origin, 'init', '-q', '-b', 'main');
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', 'one');
    write(origin, 'conf/a.yaml', 'a: 2\n');
    git(origin, 'commit', '-q', '-am', 'two');
    const shallow = path.join(tmp, 'shallow');
    git(tmp, 'clone', '-q', '--depth', '1', `file://${origin}`, shallow);
    const r = cli(shallow, '--changed', '--base', 'origin/main', ...formats('shallow'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the clone is shallow');
    expect(r.stderr).toContain('fetch-depth: 0');
    expect(fs.existsSync(path.join(tmp, 'shallow/g.sarif'))).toBe(false);
  });
});
