import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: os.tmpdir(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function write(root: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

const lines = (n: number, mark: (i: number) => string) => Array.from({ length: n }, (_, i) => `k${i + 1}: ${mark(i + 1)}\n`).join('');

/**
 * A repository with `main` and a `feature` branch checked out. On feature: conf/a.yaml gets
 * lines 10 and 20 changed (BAD), while BAD at line 2 is old; conf/old.yaml is renamed to
 * conf/new.yaml (with line 3 edited); conf/gone.yaml is deleted; other/b.yaml is untouched (BAD at 1).
 */
export function prRepo(): { root: string; mainSha: string; headSha: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-pr-'));
  git(root, 'init', '-q', '-b', 'main');
  write(
    root,
    'conf/a.yaml',
    lines(30, (i) => (i === 2 ? 'BAD old' : 'ok')),
  );
  write(
    root,
    'conf/old.yaml',
    lines(12, () => 'ok'),
  );
  write(
    root,
    'conf/gone.yaml',
    lines(3, () => 'ok'),
  );
  write(
    root,
    'other/b.yaml',
    lines(3, (i) => (i === 1 ? 'BAD untouched' : 'ok')),
  );
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  const mainSha = git(root, 'rev-parse', 'HEAD').trim();
  git(root, 'checkout', '-q', '-b', 'feature');
  write(
    root,
    'conf/a.yaml',
    lines(30, (i) => (i === 2 ? 'BAD old' : i === 10 || i === 20 ? 'BAD new' : 'ok')),
  );
  git(root, 'mv', 'conf/old.yaml', 'conf/new.yaml');
  write(
    root,
    'conf/new.yaml',
    lines(12, (i) => (i === 3 ? 'changed' : 'ok')),
  );
  git(root, 'rm', '-q', 'conf/gone.yaml');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'change');
  const headSha = git(root, 'rev-parse', 'HEAD').trim();
  // main moves on after the branch point: the merge base, not main's tip, is what counts.
  git(root, 'checkout', '-q', 'main');
  write(root, 'other/later.yaml', 'late: 1\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'later on main');
  git(root, 'checkout', '-q', 'feature');
  return { root, mainSha, headSha };
}
