import path from 'node:path';

/** POSIX form of a path. */
export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Resolves `target` (a relative link or path) against the folder of the repo file `from`.
 * Returns the root-relative POSIX path, or `undefined` when it escapes the repository root.
 */
export function resolveInRepo(from: string, target: string): string | undefined {
  const base = path.posix.dirname(from);
  const joined = target.startsWith('/') ? target.slice(1) : path.posix.join(base, target);
  const norm = path.posix.normalize(joined);
  if (norm === '..' || norm.startsWith('../') || path.posix.isAbsolute(norm)) return undefined;
  return norm === '.' ? '' : norm.replace(/\/$/, '');
}

/** True when the absolute path `p` is `root` or inside it. */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
