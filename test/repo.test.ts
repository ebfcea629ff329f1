import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Repo } from '../gates/core/repo.ts';
import { LineIndex } from '../gates/core/text.ts';
import { useTrees } from './helpers/tree.ts';

const newTree = useTrees();

const files = {
  'ssot/a.yaml': 'a: 1\n',
  'ssot/b.yaml': 'b: 1\n',
  'node_modules/x/index.yaml': 'x: 1\n',
  'artifacts/gate-report.json': '{}\n',
  'policies/x/__fixtures__/y/invalid/ssot/bad.yaml': 'bad: [\n',
  'docs/readme.md': '# hi\n',
};

function repo(root: string) {
  return new Repo({ root, artifactsDir: path.join(root, 'artifacts') });
}

describe('the file index', () => {
  it('walks a plain folder, skipping dependencies, artifacts and fixtures', () => {
    const root = newTree(files);
    expect(repo(root).files).toEqual(['docs/readme.md', 'ssot/a.yaml', 'ssot/b.yaml']);
  });

  it('asks git in a work tree: tracked and untracked files, not ignored or deleted ones', () => {
    const root = newTree({ ...files, '.gitignore': 'ignored.yaml\n', 'ignored.yaml': 'i: 1\n' });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
    git('init', '-q');
    git('add', 'ssot/a.yaml', 'ssot/b.yaml', '.gitignore');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
    fs.rmSync(path.join(root, 'ssot/b.yaml'));
    fs.writeFileSync(path.join(root, 'ssot/new.yaml'), 'n: 1\n');
    expect(repo(root).files).toEqual(['.gitignore', 'docs/readme.md', 'ssot/a.yaml', 'ssot/new.yaml']);
  });

  it('matches globs with dotfiles and reads each file once', () => {
    const root = newTree({ '.github/workflows/gates.yml': 'on: push\n', 'ssot/a.yaml': 'a: 1\n' });
    const r = repo(root);
    expect(r.glob(['**/*.yml', '**/*.yaml'])).toEqual(['.github/workflows/gates.yml', 'ssot/a.yaml']);
    const first = r.yaml('ssot/a.yaml');
    fs.writeFileSync(path.join(root, 'ssot/a.yaml'), 'a: 2\n');
    expect(r.yaml('ssot/a.yaml')).toBe(first);
    expect(r.data('ssot/a.yaml')).toEqual({ a: 1 });
  });
});

describe('LineIndex', () => {
  it('maps UTF-8 byte offsets (as libpg-query reports) to character columns', () => {
    // "é" is 2 bytes, "🚀" is 4 bytes and 2 UTF-16 units, but each is one character.
    const text = "select 'é🚀';\nselect x;\r\nselect y;\n";
    const lines = new LineIndex(text);
    const bytes = Buffer.from(text);
    expect(lines.bytePosition(bytes.indexOf('select x'))).toEqual({ line: 2, column: 1 });
    expect(lines.bytePosition(bytes.indexOf("';"))).toEqual({ line: 1, column: 11 });
    expect(lines.bytePosition(bytes.indexOf('y;'))).toEqual({ line: 3, column: 8 });
    expect(lines.position(text.indexOf("';"))).toEqual({ line: 1, column: 11 });
    expect(lines.lineText(2)).toBe('select x;');
  });
});
