import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { annotatable, parseUnifiedDiff, unquotePath } from '../gates/github/diff.ts';
import { HistoryError, pullRequestChanges } from '../gates/github/pr.ts';
import { git, prRepo, write } from './github-repo.ts';

const repo = prRepo();
afterAll(() => fs.rmSync(repo.root, { recursive: true, force: true }));

describe('pull-request changes', () => {
  it('lists changed files against the merge base: modified, renamed (both sides), deleted', () => {
    const pr = pullRequestChanges(repo.root, 'main');
    expect(pr.mergeBase).toBe(repo.mainSha);
    expect(pr.changedFiles).toEqual(['conf/a.yaml', 'conf/gone.yaml', 'conf/new.yaml', 'conf/old.yaml']);
    expect(pr.diff.get('conf/new.yaml')).toMatchObject({ status: 'R', from: 'conf/old.yaml' });
    expect(pr.diff.get('conf/gone.yaml')?.status).toBe('D');
    expect(pr.diff.has('other/later.yaml')).toBe(false);
    const a = pr.diff.get('conf/a.yaml');
    expect([...(a?.added ?? [])]).toEqual([10, 20]);
    expect([...(a?.context ?? [])]).toEqual([7, 8, 9, 11, 12, 13, 17, 18, 19, 21, 22, 23]);
    expect([...(pr.diff.get('conf/new.yaml')?.added ?? [])]).toEqual([3]);
  });

  it('counts uncommitted and untracked work as changed', () => {
    write(repo.root, 'conf/untracked.yaml', 'x: 1\n');
    try {
      const pr = pullRequestChanges(repo.root, 'main');
      expect(pr.changedFiles).toContain('conf/untracked.yaml');
      expect(annotatable({ file: 'conf/untracked.yaml', line: 1, endLine: 1 }, 'added', pr.diff)).toBe(true);
    } finally {
      fs.rmSync(path.join(repo.root, 'conf/untracked.yaml'));
    }
  });

  it('filters annotations: added, diff_context, file, all', () => {
    const { diff } = pullRequestChanges(repo.root, 'main');
    const at = (file: string, line: number, endLine = line) => ({ file, line, endLine });
    const modes = ['added', 'diff_context', 'file', 'all'] as const;
    const row = (f: { file: string; line: number; endLine: number }) => modes.map((m) => annotatable(f, m, diff));
    expect(row(at('conf/a.yaml', 10))).toEqual([true, true, true, true]);
    expect(row(at('conf/a.yaml', 8))).toEqual([false, true, true, true]);
    expect(row(at('conf/a.yaml', 8, 10))).toEqual([true, true, true, true]);
    expect(row(at('conf/a.yaml', 2))).toEqual([false, false, true, true]);
    expect(row(at('other/b.yaml', 1))).toEqual([false, false, false, true]);
    expect(row(at('conf/gone.yaml', 1))).toEqual([false, false, false, true]);
  });

  it('refuses a shallow clone with advice to fetch the full history', () => {
    const shallow = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-shallow-'));
    try {
      git(shallow, 'clone', '-q', '--depth', '1', '--no-single-branch', `file://${repo.root}`, '.');
      expect(() => pullRequestChanges(shallow, 'origin/main')).toThrow(HistoryError);
      expect(() => pullRequestChanges(shallow, 'origin/main')).toThrow(/the clone is shallow.*fetch-depth: 0/);
    } finally {
      fs.rmSync(shallow, { recursive: true, force: true });
    }
  });

  it('refuses a base that is not in the clone, and unrelated histories', () => {
    expect(() => pullRequestChanges(repo.root, 'origin/nope')).toThrow(/--base origin\/nope is not a commit in this clone; fetch/);
    try {
      git(repo.root, 'checkout', '-q', '--orphan', 'orphan');
      git(repo.root, 'commit', '-q', '-m', 'unrelated');
      expect(() => pullRequestChanges(repo.root, 'main')).toThrow(/main and HEAD have no merge base in this clone/);
    } finally {
      git(repo.root, 'checkout', '-q', '-f', 'feature');
    }
  });
});

describe('unified diff parsing', () => {
  it('follows hunk counts, so content that looks like a header stays content', () => {
    const patch = [
      'diff --git a/x.txt b/x.txt',
      '--- a/x.txt',
      '+++ b/x.txt',
      '@@ -1,2 +1,3 @@',
      ' one',
      '+++ not a header',
      '-two',
      '+diff --git a/fake b/fake',
      '\\ No newline at end of file',
      'diff --git a/"t\\303\\251st\\tx.txt" b/"t\\303\\251st\\tx.txt"',
      '--- /dev/null',
      '+++ "b/t\\303\\251st\\tx.txt"',
      '@@ -0,0 +1 @@',
      '+new',
      '',
    ].join('\n');
    const files = parseUnifiedDiff(patch);
    expect([...files.keys()]).toEqual(['x.txt', 'tést\tx.txt']);
    expect([...(files.get('x.txt')?.added ?? [])]).toEqual([2, 3]);
    expect([...(files.get('x.txt')?.context ?? [])]).toEqual([1]);
    expect([...(files.get('tést\tx.txt')?.added ?? [])]).toEqual([1]);
  });

  it('unquotes git C-style paths', () => {
    expect(unquotePath('"a\\"b\\\\c\\n"')).toBe('a"b\\c\n');
    expect(unquotePath('plain')).toBe('plain');
  });
});
