// A folder of files read the way the repository is read: every path stays inside the folder's real
// path (symbolic links that lead out are not followed), reads are size-capped and decoded as UTF-8.
// The repository model lists and reads its root with it; policies open other roots (the console's
// app, checked out next to the repository) through `ctx.openTree`.
import fs from 'node:fs';
import path from 'node:path';
import { isInside } from './paths.ts';
import { MAX_FILE_BYTES, readFailure, readText, type FileText } from './read.ts';

export interface WalkOptions {
  /** Folder names never entered. */
  skipDirs?: ReadonlySet<string>;
  /** Stop after this many files (the listing says it was truncated). */
  maxFiles?: number;
  /**
   * `list`: a symbolic link is listed as a file and never followed (reading it later decides);
   * `follow-inside`: it is followed when its target stays inside the walked root, else left out.
   */
  links?: 'list' | 'follow-inside';
}

/** Files below `start` (relative to `root`), relative to `start`, POSIX, sorted. */
export function walkFiles(root: string, start: string, opts: WalkOptions = {}): { files: string[]; truncated: boolean } {
  const skip = opts.skipDirs ?? new Set<string>();
  const max = opts.maxFiles ?? Infinity;
  const follow = opts.links === 'follow-inside';
  const first = path.resolve(root, start);
  const files: string[] = [];
  const seen = new Set<string>([first]);
  const stack: Array<[string, string]> = [[first, '']];
  while (stack.length) {
    const [dir, prefix] = stack.pop() as [string, string];
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      let full = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        if (!follow) isFile = true;
        else {
          const target = realInside(root, full);
          if (!target) continue;
          const st = fs.statSync(target);
          full = target;
          isDir = st.isDirectory();
          isFile = st.isFile();
        }
      }
      if (isDir) {
        if (skip.has(e.name) || seen.has(full)) continue;
        seen.add(full);
        stack.push([full, rel]);
      } else if (isFile) {
        if (files.length >= max) return { files: files.sort(), truncated: true };
        files.push(rel);
      }
    }
  }
  return { files: files.sort(), truncated: false };
}

/** The real path of `abs` when it exists and stays inside `root` (a real path), else undefined. */
function realInside(root: string, abs: string): string | undefined {
  try {
    const real = fs.realpathSync(abs);
    return isInside(root, real) ? real : undefined;
  } catch {
    return undefined;
  }
}

export type Opened = { ok: true; tree: FileTree } | { ok: false; reason: string };

/** A folder outside (or inside) the repository, read with the repository's rules. */
export class FileTree {
  private constructor(
    /** Real absolute path. */
    readonly real: string,
  ) {}

  /** Opens `dir` (absolute, or relative to `base`); says why when it is not a folder. */
  static open(base: string, dir: string): Opened {
    let real: string;
    try {
      real = fs.realpathSync(path.resolve(base, dir));
    } catch {
      return { ok: false, reason: `${dir} does not exist` };
    }
    if (!fs.statSync(real).isDirectory()) return { ok: false, reason: `${dir} is not a directory` };
    return { ok: true, tree: new FileTree(real) };
  }

  /** The real path of `rel`, or undefined when it is missing or leads out of the tree. */
  resolve(rel: string): string | undefined {
    return realInside(this.real, path.resolve(this.real, rel));
  }

  isDirectory(rel: string): boolean {
    const p = this.resolve(rel);
    return p !== undefined && fs.statSync(p).isDirectory();
  }

  isFile(rel: string): boolean {
    const p = this.resolve(rel);
    return p !== undefined && fs.statSync(p).isFile();
  }

  /** Files under `rel`, relative to it; symbolic links are followed only within the tree. */
  list(rel: string, opts: Omit<WalkOptions, 'links'> = {}): { files: string[]; truncated: boolean } {
    const start = this.resolve(rel);
    if (!start) return { files: [], truncated: false };
    return walkFiles(this.real, start, { ...opts, links: 'follow-inside' });
  }

  /** The file's text (BOM stripped), or why it cannot be read (missing, outside, too large, binary, not UTF-8). */
  read(rel: string, maxBytes = MAX_FILE_BYTES): FileText {
    const p = this.resolve(rel);
    if (!p) return readFailure('MISSING', 'missing', { file: rel });
    return readText(this.real, path.relative(this.real, p), maxBytes);
  }
}
