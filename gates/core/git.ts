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

/** Path → object id of the blobs at `ref` under the pathspecs (taken literally), e.g. a folder `dir/`. */
function lsTree(dir: string, ref: string, pathspecs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const listed = git(dir, ['--literal-pathspecs', '-c', 'core.quotePath=false', 'ls-tree', '-r', '-z', ref, '--', ...pathspecs]);
  for (const entry of (listed ?? '').split('\0')) {
    // `<mode> <type> <object>\t<path>`
    const tab = entry.indexOf('\t');
    const [, type, id] = entry.slice(0, tab).split(' ');
    if (tab > 0 && type === 'blob' && id) out.set(entry.slice(tab + 1), id);
  }
  return out;
}

/**
 * The content of each file at `ref`: its object id from one `git ls-tree`, the objects from one
 * `git cat-file --batch` (by id: a path lookup per file is much slower). Undefined for a file that
 * does not exist there; undefined as a whole when git fails (the caller asks file by file then).
 */
function showFiles(dir: string, ref: string, paths: readonly string[]): Map<string, string | undefined> | undefined {
  const ids = lsTree(dir, ref, paths);
  const asked = paths.filter((p) => ids.has(p));
  const out = new Map<string, string | undefined>(paths.map((p) => [p, undefined]));
  if (asked.length === 0) return out;
  const r = spawnSync('git', ['cat-file', '--batch'], {
    cwd: dir,
    input: asked.map((p) => `${ids.get(p) ?? ''}\n`).join(''),
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (r.status !== 0 || !Buffer.isBuffer(r.stdout)) return undefined;
  const buf = r.stdout;
  let at = 0;
  for (const p of asked) {
    const eol = buf.indexOf(0x0a, at);
    if (eol < 0) return undefined;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(buf.subarray(at, eol).toString('utf8'));
    at = eol + 1;
    if (!m) return undefined;
    const size = Number(m[2]);
    out.set(p, m[1] === 'blob' ? buf.subarray(at, at + size).toString('utf8') : undefined);
    at += size + 1;
  }
  return out;
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
  /** The content of each of `files` at `ref` (undefined where it does not exist), read by two git processes; later `show` calls reuse it. */
  showMany(ref: string, files: readonly string[]): Map<string, string | undefined>;
  /** The git object id of each file below `dir` at `ref` (its content's hash, see `blobId` in git-blob.ts); empty when the ref is unknown. */
  blobsAt(ref: string, dir?: string): Map<string, string>;
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
    blobsAt: (ref, dir) => once(`blobs\0${ref}\0${dir ?? ''}`, () => lsTree(root, ref, dir ? [`${dir.replace(/\/$/, '')}/`] : [])),
    showMany: (ref, files) => {
      const missing = files.filter((f) => !cache.has(`show\0${ref}\0${f}`));
      if (missing.length > 1) {
        const read = showFiles(root, ref, missing);
        if (read) for (const [f, text] of read) cache.set(`show\0${ref}\0${f}`, text);
      }
      return new Map(files.map((f) => [f, view.show(ref, f)]));
    },
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
