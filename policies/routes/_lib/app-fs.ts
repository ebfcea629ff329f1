// Reads the console's app dir, which usually lives outside the repository (CI checks it out next
// to it), so RepoContext cannot read it. Everything stays inside the app dir's real path: symlinks
// that lead out of it are not followed, and sizes are capped like the repository's own files.
import fs from 'node:fs';
import path from 'node:path';
import { isInside, toPosix } from '../../../gates/core/paths.ts';

/** Source files larger than this are not parsed. */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** Build manifests larger than this are not read. */
export const MAX_MANIFEST_BYTES = 5 * 1024 * 1024;
/** A router tree with more files than this is listed only in part (and the policy says so). */
export const MAX_LISTED_FILES = 20_000;

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.next']);

export interface AppDir {
  /** Real absolute path. */
  real: string;
  /** Root-relative POSIX path when the app dir is inside the repository, else undefined. */
  inRepo: string | undefined;
  /** How to name it in messages: the path as configured. */
  shown: string;
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Resolves the configured app dir (relative to the root, or absolute). */
export function resolveAppDir(root: string, configured: string): Resolved<AppDir> {
  const abs = path.resolve(root, configured);
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    return { ok: false, reason: `${configured} does not exist` };
  }
  if (!fs.statSync(real).isDirectory()) return { ok: false, reason: `${configured} is not a directory` };
  let realRoot = root;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    // the root was checked by the CLI; keep it as given
  }
  const rel = toPosix(path.relative(realRoot, real));
  const inRepo = isInside(realRoot, real) ? rel : undefined;
  return { ok: true, value: { real, inRepo, shown: configured } };
}

/** The real path of `rel` inside the app dir, or undefined when it is missing or escapes it. */
function inside(app: AppDir, rel: string): string | undefined {
  try {
    const real = fs.realpathSync(path.resolve(app.real, rel));
    return isInside(app.real, real) ? real : undefined;
  } catch {
    return undefined;
  }
}

export function isAppDirectory(app: AppDir, rel: string): boolean {
  const p = inside(app, rel);
  return p !== undefined && fs.statSync(p).isDirectory();
}

export function isAppFile(app: AppDir, rel: string): boolean {
  const p = inside(app, rel);
  return p !== undefined && fs.statSync(p).isFile();
}

/** Files under `rel` (relative to it, POSIX, sorted); symlinks are followed only within the app dir. */
export function listAppFiles(app: AppDir, rel: string): { files: string[]; truncated: boolean } {
  const start = inside(app, rel);
  const files: string[] = [];
  if (!start) return { files, truncated: false };
  const seen = new Set<string>([start]);
  const stack: Array<[string, string]> = [[start, '']];
  while (stack.length) {
    const [dir, prefix] = stack.pop() as [string, string];
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (SKIPPED_DIRS.has(e.name)) continue;
      const relName = prefix ? `${prefix}/${e.name}` : e.name;
      let full = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const target = inside(app, path.relative(app.real, full));
        if (!target) continue;
        const st = fs.statSync(target);
        full = target;
        isDir = st.isDirectory();
        isFile = st.isFile();
      }
      if (isDir) {
        if (seen.has(full)) continue;
        seen.add(full);
        stack.push([full, relName]);
      } else if (isFile) {
        if (files.length >= MAX_LISTED_FILES) return { files: files.sort(), truncated: true };
        files.push(relName);
      }
    }
  }
  return { files: files.sort(), truncated: false };
}

/** The UTF-8 text of a file of the app dir, or why it cannot be read. */
export function readAppText(app: AppDir, rel: string, maxBytes: number): Resolved<string> {
  const p = inside(app, rel);
  if (!p) return { ok: false, reason: `${rel} does not exist in ${app.shown}` };
  const st = fs.statSync(p);
  if (!st.isFile()) return { ok: false, reason: `${rel} in ${app.shown} is not a file` };
  if (st.size > maxBytes) return { ok: false, reason: `${rel} in ${app.shown} is ${st.size} bytes, over the ${maxBytes}-byte cap` };
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(p)).replace(/^\uFEFF/, '') };
  } catch {
    return { ok: false, reason: `${rel} in ${app.shown} is not UTF-8 text` };
  }
}
