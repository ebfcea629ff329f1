// The console's app dir, which usually lives outside the repository (CI checks it out next to it),
// opened through the repository model (`ctx.openTree`): paths stay inside its real path, symbolic
// links that lead out are not followed, and reads are size-capped and decoded like the repository's.
import { isInside, toPosix } from '../../../gates/core/paths.ts';
import type { RepoContext } from '../../../gates/core/repo.ts';
import type { FileTree } from '../../../gates/core/tree.ts';
import path from 'node:path';

/** Source files larger than this are not parsed. */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** Build manifests larger than this are not read. */
export const MAX_MANIFEST_BYTES = 5 * 1024 * 1024;
/** A router tree with more files than this is listed only in part (and the policy says so). */
const MAX_LISTED_FILES = 20_000;

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.next']);

export interface AppDir {
  tree: FileTree;
  /** Root-relative POSIX path when the app dir is inside the repository, else undefined. */
  inRepo: string | undefined;
  /** How to name it in messages: the path as configured. */
  shown: string;
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Opens the configured app dir (relative to the root, or absolute). */
export function resolveAppDir(ctx: RepoContext, configured: string): Resolved<AppDir> {
  const opened = ctx.openTree(configured);
  if (!opened.ok) return opened;
  const root = ctx.openTree('.');
  const realRoot = root.ok ? root.tree.real : ctx.root;
  const inRepo = isInside(realRoot, opened.tree.real) ? toPosix(path.relative(realRoot, opened.tree.real)) : undefined;
  return { ok: true, value: { tree: opened.tree, inRepo, shown: configured } };
}

export function isAppDirectory(app: AppDir, rel: string): boolean {
  return app.tree.isDirectory(rel);
}

export function isAppFile(app: AppDir, rel: string): boolean {
  return app.tree.isFile(rel);
}

/** Files under `rel` (relative to it, POSIX, sorted), at most {@link MAX_LISTED_FILES}. */
export function listAppFiles(app: AppDir, rel: string): { files: string[]; truncated: boolean } {
  return app.tree.list(rel, { skipDirs: SKIPPED_DIRS, maxFiles: MAX_LISTED_FILES });
}

/** The UTF-8 text of a file of the app dir, or why it cannot be read. */
export function readAppText(app: AppDir, rel: string, maxBytes: number): Resolved<string> {
  const t = app.tree.read(rel, maxBytes);
  if (t.ok) return { ok: true, value: t.text };
  switch (t.code) {
    case 'MISSING':
    case 'ESCAPES_ROOT':
      return { ok: false, reason: app.tree.resolve(rel) ? `${rel} in ${app.shown} is not a file` : `${rel} does not exist in ${app.shown}` };
    case 'TOO_LARGE':
      return { ok: false, reason: `${rel} in ${app.shown} is ${t.bytes ?? 'over'} bytes, over the ${maxBytes}-byte cap` };
    case 'BINARY':
      return { ok: false, reason: `${rel} in ${app.shown} is binary, not text` };
    case 'NOT_UTF8':
      return { ok: false, reason: `${rel} in ${app.shown} is not UTF-8 text` };
    default:
      return { ok: false, reason: `${rel} in ${app.shown} cannot be read` };
  }
}
