import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { cmp } from './finding.ts';
import { gitFiles, isWorkTree, showFile } from './git.ts';
import { isInside, toPosix } from './paths.ts';
import { LineIndex } from './text.ts';
import { parseYaml, type YamlFile } from './yaml.ts';

/** Files larger than this are not read; the file is reported instead. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Paths no policy sees: dependencies, VCS data, and the policy fixtures (tiny repos of their own). */
export const DEFAULT_IGNORES = ['node_modules/**', '**/node_modules/**', '.git/**', '**/__fixtures__/**'];

export interface GateOptions {
  /** Absolute path of the repository checked. */
  root: string;
  /** Absolute path of the artifacts folder (excluded from the file index). */
  artifactsDir: string;
  /** Git ref of the pull request's base, for history policies. */
  base?: string;
  /** Changed files (root-relative) in pull-request mode; undefined means a full run. */
  changedFiles?: string[];
  /** Path of the console's Next.js app (relative to the root or absolute). */
  appDir?: string;
  /** Postgres connection string; undefined means the embedded PGlite. */
  databaseUrl?: string;
}

export type FileText =
  | { ok: true; text: string; lines: LineIndex }
  | {
      ok: false;
      code: 'MISSING' | 'TOO_LARGE' | 'BINARY' | 'NOT_UTF8' | 'ESCAPES_ROOT' | 'UNREADABLE';
      message: string;
      /** Where the fault is, when it has a place (1-based). */
      line?: number;
      column?: number;
    };

/** What a policy sees of the repository. Everything is read lazily and cached. */
export interface RepoContext {
  readonly root: string;
  readonly options: Readonly<GateOptions>;
  /** Every file of the repository, root-relative POSIX, sorted. */
  readonly files: readonly string[];
  /** Files matching any of the picomatch globs, sorted. */
  glob(patterns: string | readonly string[]): string[];
  exists(file: string): boolean;
  /** The file's text (BOM stripped), or why it cannot be read. */
  read(file: string): FileText;
  /** Convenience: the text, or undefined when unreadable. */
  text(file: string): string | undefined;
  /** The parsed YAML file, or undefined when the text is unreadable. */
  yaml(file: string): YamlFile | undefined;
  /** The first document as plain data; undefined when unreadable or broken. */
  data(file: string): unknown;
  /** The file's content at a git ref, or undefined. */
  gitShow(ref: string, file: string): string | undefined;
  /** Computes once per run and shares the result between policies (e.g. a database replay). */
  memo<T>(key: string, compute: () => T): T;
}

export class Repo implements RepoContext {
  readonly root: string;
  readonly options: Readonly<GateOptions>;
  private fileList: string[] | undefined;
  private fileSet: Set<string> | undefined;
  private readonly texts = new Map<string, FileText>();
  private readonly yamls = new Map<string, YamlFile | undefined>();
  private readonly memos = new Map<string, unknown>();
  private readonly matchers = new Map<string, (p: string) => boolean>();

  constructor(options: GateOptions) {
    this.root = path.resolve(options.root);
    this.options = options;
  }

  get files(): readonly string[] {
    if (!this.fileList) {
      const ignored = picomatch([...DEFAULT_IGNORES, ...this.artifactsIgnore()], { dot: true });
      const listed = (isWorkTree(this.root) ? gitFiles(this.root) : undefined) ?? walk(this.root);
      this.fileList = listed.map(toPosix).filter((f) => !ignored(f)).sort(cmp);
      this.fileSet = new Set(this.fileList);
    }
    return this.fileList;
  }

  private artifactsIgnore(): string[] {
    const rel = toPosix(path.relative(this.root, this.options.artifactsDir));
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? [`${rel}/**`] : [];
  }

  glob(patterns: string | readonly string[]): string[] {
    const key = typeof patterns === 'string' ? patterns : patterns.join('\0');
    let m = this.matchers.get(key);
    if (!m) {
      m = picomatch(typeof patterns === 'string' ? patterns : [...patterns], { dot: true });
      this.matchers.set(key, m);
    }
    const match = m;
    return this.files.filter((f) => match(f));
  }

  exists(file: string): boolean {
    void this.files;
    if (this.fileSet?.has(file)) return true;
    const abs = path.resolve(this.root, file);
    return isInside(this.root, abs) && fs.existsSync(abs);
  }

  read(file: string): FileText {
    let t = this.texts.get(file);
    if (!t) {
      t = readText(this.root, file);
      this.texts.set(file, t);
    }
    return t;
  }

  text(file: string): string | undefined {
    const t = this.read(file);
    return t.ok ? t.text : undefined;
  }

  yaml(file: string): YamlFile | undefined {
    if (!this.yamls.has(file)) {
      const t = this.read(file);
      this.yamls.set(file, t.ok ? parseYaml(file, t.text) : undefined);
    }
    return this.yamls.get(file);
  }

  data(file: string): unknown {
    return this.yaml(file)?.values[0];
  }

  gitShow(ref: string, file: string): string | undefined {
    return showFile(this.root, ref, file);
  }

  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readText(root: string, file: string): FileText {
  const abs = path.resolve(root, file);
  if (!isInside(root, abs)) return { ok: false, code: 'ESCAPES_ROOT', message: `${file} is outside the repository root` };
  let buf: Buffer;
  let fd: number | undefined;
  try {
    fd = openInside(root, abs);
    if (fd === undefined) {
      return { ok: false, code: 'ESCAPES_ROOT', message: `${file} is a symbolic link to a place outside the repository root; it is not read` };
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { ok: false, code: 'MISSING', message: `${file} is not a file` };
    if (st.size > MAX_FILE_BYTES) {
      return {
        ok: false,
        code: 'TOO_LARGE',
        message: `file is ${st.size.toLocaleString('en-US')} bytes, over the ${MAX_FILE_BYTES / 1024 / 1024} MiB cap; it is not read — split it or move the data out of the repository`,
      };
    }
    buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const n = fs.readSync(fd, buf, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    buf = buf.subarray(0, got);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { ok: false, code: 'MISSING', message: `${file} does not exist` }
      : { ok: false, code: 'UNREADABLE', message: `${file} cannot be read (${code ?? 'error'})` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  const nul = buf.subarray(0, 8000).indexOf(0);
  if (nul !== -1) {
    return { ok: false, code: 'BINARY', message: `file is binary (a NUL byte at offset ${nul}); a text file is expected`, ...bytePlace(buf, nul) };
  }
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    const bad = firstBadUtf8(buf);
    return {
      ok: false,
      code: 'NOT_UTF8',
      message: `file is not valid UTF-8 (byte 0x${(buf[bad] ?? 0).toString(16).padStart(2, '0')} at offset ${bad}); save it as UTF-8`,
      ...bytePlace(buf, bad),
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text, lines: new LineIndex(text) };
}

/** Opens a file for reading unless it is a symbolic link that leads outside `root`. */
function openInside(root: string, abs: string): number | undefined {
  try {
    return fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
  }
  const real = fs.realpathSync(abs);
  return isInside(fs.realpathSync(root), real) ? fs.openSync(real, 'r') : undefined;
}

/** 1-based line and character column of a byte offset into raw, possibly undecodable, bytes. */
function bytePlace(buf: Buffer, offset: number): { line: number; column: number } {
  const lineStart = offset === 0 ? 0 : buf.lastIndexOf(10, offset - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (buf[i] === 10) line++;
  return { line, column: [...buf.subarray(lineStart, offset).toString('utf8')].length + 1 };
}

/** Byte offset of the first malformed UTF-8 sequence. */
export function firstBadUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] as number;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return buf.length;
}

function walk(root: string): string[] {
  const out: string[] = [];
  const stack = [''];
  while (stack.length) {
    const rel = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== '.git') stack.push(p);
      } else if (e.isFile() || e.isSymbolicLink()) out.push(p);
    }
  }
  return out;
}
