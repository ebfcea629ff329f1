import { execFileSync, spawnSync } from 'node:child_process';

/** Runs git in `cwd`; returns stdout, or undefined when git fails. */
export function git(cwd: string, args: string[], opts: { maxBuffer?: number } = {}): string | undefined {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: opts.maxBuffer ?? 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return r.status === 0 ? r.stdout : undefined;
}

/** True when `dir` is inside a git work tree. */
export function isWorkTree(dir: string): boolean {
  return git(dir, ['rev-parse', '--is-inside-work-tree'])?.trim() === 'true';
}

/** Files git knows below `dir` (tracked and untracked-not-ignored, minus deleted), relative to `dir`. */
export function gitFiles(dir: string): string[] | undefined {
  const listed = git(dir, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  if (listed === undefined) return undefined;
  const deleted = new Set((git(dir, ['ls-files', '-z', '--deleted']) ?? '').split('\0').filter(Boolean));
  const out = new Set<string>();
  for (const f of listed.split('\0')) if (f && !deleted.has(f)) out.add(f);
  return [...out];
}

/** Content of `path` (relative to `dir`) at `ref`, or undefined when it does not exist there. */
export function showFile(dir: string, ref: string, path: string): string | undefined {
  return git(dir, ['show', `${ref}:./${path}`]);
}

/** Throws with git's own message; for commands whose failure is the user's to fix. */
export function gitOrThrow(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
