import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobId } from '../gates/core/git-blob.ts';
import { gitHead, gitView } from '../gates/core/git.ts';
import { definePolicy } from '../gates/core/policy.ts';
import { runGates } from '../gates/core/run.ts';
import { makeTree } from './helpers/tree.ts';

/** A repository with a first commit tagged `base` (holding `files`), then `edits` left uncommitted. */
function repo(files: Record<string, string>, edits: Record<string, string>): string {
  const dir = makeTree(files);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'base');
  git('tag', 'base');
  for (const [f, text] of Object.entries(edits)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

describe('ctx.git', () => {
  const dir = repo({ 'a/one.txt': 'x\ny\nz\n', 'b.txt': 'b\n' }, { 'a/one.txt': 'x\nY\nz\nw\n', 'a/two.txt': '1\n2\n' });
  const g = gitView(dir);

  it('answers whether a commit exists', () => {
    expect(g.commitExists('base')).toBe(true);
    expect(g.commitExists('no-such-ref')).toBe(false);
  });

  it('lists the files at a ref, below a folder or all', () => {
    expect(g.filesAt('base')).toEqual(['a/one.txt', 'b.txt']);
    expect(g.filesAt('base', 'a')).toEqual(['a/one.txt']);
    expect(g.filesAt('no-such-ref', 'a')).toEqual([]);
  });

  it('shows a file at a ref', () => {
    expect(g.show('base', 'a/one.txt')).toBe('x\ny\nz\n');
    expect(g.show('base', 'a/two.txt')).toBeUndefined();
  });

  it('shows many files at a ref through one git process, as show does one by one', () => {
    const files = ['a/one.txt', 'b.txt', 'a/two.txt', 'no such dir/x.txt'];
    const many = gitView(dir).showMany('base', files);
    expect([...many]).toEqual(files.map((f) => [f, g.show('base', f)]));
    expect(many.get('a/one.txt')).toBe('x\ny\nz\n');
    expect(many.get('a/two.txt')).toBeUndefined();
    // Multi-byte text and a path with spaces, bytes counted as git counts them.
    const utf = repo({ 'd/é t.sql': "select 'é';\n", 'd/z.sql': 'select 2;\n' }, {});
    expect([...gitView(utf).showMany('base', ['d/é t.sql', 'd/z.sql'])]).toEqual([
      ['d/é t.sql', "select 'é';\n"],
      ['d/z.sql', 'select 2;\n'],
    ]);
    expect([...gitView(dir).showMany('no-such-ref', ['a/one.txt', 'b.txt'])]).toEqual([
      ['a/one.txt', undefined],
      ['b.txt', undefined],
    ]);
  });

  it("gives each file's object id at a ref, as git hashes the same bytes", () => {
    const blobs = g.blobsAt('base', 'a');
    expect([...blobs.keys()]).toEqual(['a/one.txt']);
    const id = blobs.get('a/one.txt') ?? '';
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect(blobId(Buffer.from('x\ny\nz\n'), id)).toBe(id);
    // The edited working-tree file hashes to another id.
    expect(blobId(fs.readFileSync(path.join(dir, 'a/one.txt')), id)).not.toBe(id);
    expect([...g.blobsAt('base').keys()]).toEqual(['a/one.txt', 'b.txt']);
    expect(g.blobsAt('no-such-ref', 'a').size).toBe(0);
  });

  it('finds the merge base', () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    expect(g.mergeBase('base')).toBe(head);
    expect(g.mergeBase('no-such-ref')).toBeUndefined();
  });

  it('gives the lines a file adds against a ref; every line of a new file', () => {
    expect([...(g.addedLines('base', 'a/one.txt') ?? [])]).toEqual([2, 4]);
    expect([...(g.addedLines('base', 'a/two.txt') ?? [])]).toEqual([1, 2]);
    expect([...(g.addedLines('base', 'b.txt') ?? [])]).toEqual([]);
    expect(g.addedLines('no-such-ref', 'b.txt')).toBeUndefined();
  });

  it('answers nothing outside a git work tree', () => {
    const plain = gitView(makeTree({ 'x.txt': 'x\n' }));
    expect(plain.commitExists('HEAD')).toBe(false);
    expect(plain.filesAt('HEAD')).toEqual([]);
  });
});

describe('ctx.policyIds', () => {
  const seen = definePolicy({
    id: 'test/sees-ids',
    title: 'reports the ids it is given',
    severity: 'notice',
    appliesTo: ['**'],
    messages: { ids: '{{ids}}' },
    check: (ctx) => [{ file: 'x.txt', line: 1, messageId: 'ids', data: { ids: ctx.policyIds.join(',') } }],
  });
  const root = makeTree({ 'x.txt': 'x\n' });

  it('is the registry the caller passes, sorted, not only the policies that run', async () => {
    const r = await runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies: [seen], policyIds: ['z/b', 'a/c', 'test/sees-ids'] });
    expect(r.findings[0]?.data).toEqual({ ids: 'a/c,test/sees-ids,z/b' });
  });

  it('defaults to the ids of the policies run', async () => {
    const r = await runGates({ root, artifactsDir: path.join(root, 'artifacts'), policies: [seen] });
    expect(r.findings[0]?.data).toEqual({ ids: 'test/sees-ids' });
  });
});

describe('gitHead', () => {
  it('names the commit and the branch, the commit alone when detached, nothing outside git', () => {
    const dir = repo({ 'a.txt': 'a\n' }, {});
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    expect(gitHead(dir)).toEqual({ commit: sha, ref: 'refs/heads/main' });
    fs.mkdirSync(path.join(dir, 'sub'));
    expect(gitHead(path.join(dir, 'sub'))).toEqual({ commit: sha, ref: 'refs/heads/main' });
    execFileSync('git', ['checkout', '-q', '--detach'], { cwd: dir });
    expect(gitHead(dir)).toEqual({ commit: sha, ref: null });
    expect(gitHead(makeTree({ 'a.txt': 'a\n' }))).toEqual({ commit: null, ref: null });
  });

  it('names the branch of a repository with no commit yet', () => {
    const dir = makeTree({ 'a.txt': 'a\n' });
    execFileSync('git', ['init', '-q', '-b', 'trunk'], { cwd: dir });
    expect(gitHead(dir)).toEqual({ commit: null, ref: 'refs/heads/trunk' });
  });
});
