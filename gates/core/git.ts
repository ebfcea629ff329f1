import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseUnifiedDiff } from '../github/diff.ts';

/** Runs git in `cwd`: its exit status, stdout and stderr (status null when git could not run). */
function runGit(cwd: string, args: string[], maxBuffer = 256 * 1024 * 1024): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Runs git in `cwd`; returns stdout, or undefined when git fails. */
export function git(cwd: string, args: string[], opts: { maxBuffer?: number } = {}): string | undefined {
  const r = runGit(cwd, args, opts.maxBuffer);
  return r.status === 0 ? r.stdout : undefined;
}

/**
 * False when git cannot find a repository for `dir`: no `.git` in it or any folder above, and no
 * GIT_DIR or GIT_WORK_TREE to point elsewhere. Checked before starting git, which costs a process
 * (a few milliseconds) only to fail outside a repository.
 */
function mayBeInRepo(dir: string): boolean {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) return true;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return true;
    if (path.dirname(d) === d) return false;
  }
}

/**
 * Files git knows below `dir` (tracked and untracked-not-ignored, minus deleted), relative to
 * `dir`; undefined when `dir` is not in a work tree. One git process: `-t` tags each path, `R`
 * for a tracked file deleted from the work tree.
 */
export function gitFiles(dir: string): string[] | undefined {
  if (!mayBeInRepo(dir)) return undefined;
  const listed = git(dir, ['ls-files', '-z', '-t', '--cached', '--others', '--deleted', '--exclude-standard']);
  if (listed === undefined) return undefined;
  const out = new Set<string>();
  const deleted: string[] = [];
  for (const entry of listed.split('\0')) {
    if (entry.length < 3) continue;
    const file = entry.slice(2);
    if (entry[0] === 'R') deleted.push(file);
    else out.add(file);
  }
  for (const f of deleted) out.delete(f);
  return [...out];
}

/**
 * The commit checked out at `dir` and the branch HEAD names (`refs/heads/main`; null when
 * detached), both null outside a git work tree. One git process, two on an unborn branch.
 */
export function gitHead(dir: string): { commit: string | null; ref: string | null } {
  if (!mayBeInRepo(dir)) return { commit: null, ref: null };
  const r = runGit(dir, ['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD']);
  if (r.status === 0) {
    const [commit = '', ref = ''] = r.stdout.split('\n').map((l) => l.trim());
    return { commit: commit || null, ref: ref && ref !== 'HEAD' ? ref : null };
  }
  if (r.status === null || /not a git repository/i.test(r.stderr)) return { commit: null, ref: null };
  return {
    commit: git(dir, ['rev-parse', '--verify', '-q', 'HEAD'])?.trim() || null,
    ref: git(dir, ['symbolic-ref', '-q', 'HEAD'])?.trim() || null,
  };
}

/** Content of `path` (relative to `dir`) at `ref`, or undefined when it does not exist there. */
function showFile(dir: string, ref: string, path: string): string | undefined {
  return git(dir, ['show', `${ref}:./${path}`]);
}

/**
 * The repository's history as a policy sees it (`ctx.git`): read-only questions about refs and
 * files at them. Every answer comes from git in the checked root; a question git cannot answer
 * (no work tree, unknown ref) gets `undefined`, `false` or an empty list, never a guess.
 */
export interface GitView {
  /** True when `ref` names a commit. */
  commitExists(ref: string): boolean;
  /** Files at `ref` (below `dir`, when given), root-relative POSIX, sorted; [] when the ref is unknown. */
  filesAt(ref: string, dir?: string): string[];
  /** The content of `file` at `ref`, or undefined when it does not exist there. */
  show(ref: string, file: string): string | undefined;
  /** The merge base of `a` and `b` (default `HEAD`), or undefined when there is none. */
  mergeBase(a: string, b?: string): string | undefined;
  /**
   * Lines (1-based) of the working-tree `file` added or changed against `ref`; every line when
   * the file does not exist at `ref`; undefined when `ref` is not a commit.
   */
  addedLines(ref: string, file: string): Set<number> | undefined;
}

/** The {@link GitView} of the repository at `root`; answers are cached for the run. */
export function gitView(root: string): GitView {
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, compute: () => T): T => {
    if (!cache.has(key)) cache.set(key, compute());
    return cache.get(key) as T;
  };
  const view: GitView = {
    commitExists: (ref) => once(`commit\0${ref}`, () => git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]) !== undefined),
    filesAt: (ref, dir) =>
      once(`files\0${ref}\0${dir ?? ''}`, () => {
        const out = git(root, ['ls-tree', '-r', '-z', '--name-only', ref, '--', ...(dir ? [`${dir.replace(/\/$/, '')}/`] : [])]);
        return (out ?? '').split('\0').filter(Boolean).sort();
      }),
    show: (ref, file) => once(`show\0${ref}\0${file}`, () => showFile(root, ref, file)),
    mergeBase: (a, b = 'HEAD') => once(`base\0${a}\0${b}`, () => git(root, ['merge-base', a, b])?.trim() || undefined),
    addedLines: (ref, file) => {
      if (!view.commitExists(ref)) return undefined;
      if (!view.filesAt(ref).includes(file)) {
        const text = readWorkTree(root, file);
        return new Set(
          text === undefined
            ? []
            : text
                .split('\n')
                .map((_, i) => i + 1)
                .slice(0, text.endsWith('\n') ? -1 : undefined),
        );
      }
      const patch = git(root, ['-c', 'core.quotePath=false', 'diff', '-U0', '--no-color', '--no-ext-diff', ref, '--', file]);
      if (patch === undefined) return undefined;
      return parseUnifiedDiff(patch).get(file)?.added ?? new Set();
    },
  };
  return view;
}

function readWorkTree(root: string, file: string): string | undefined {
  try {
    return fs.readFileSync(path.join(root, file), 'utf8');
  } catch {
    return undefined;
  }
}
