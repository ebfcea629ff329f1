import fs from 'node:fs';
import path from 'node:path';
import { isInside } from './paths.ts';
import { renderMessage } from './policy.ts';
import { LineIndex } from './text.ts';

/** Files larger than this are not read; the file is reported instead. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * The one wording of why a file cannot be read, as policy messages (`{{name}}` filled from the
 * failure's `data`); a policy that reports read failures as such declares these.
 */
export const READ_MESSAGES = {
  'outside-root': '{{file}} is outside the repository root',
  'link-outside-root': '{{file}} is a symbolic link to a place outside the repository root; it is not read',
  'not-a-file': '{{file}} is not a file',
  missing: '{{file}} does not exist',
  unreadable: '{{file}} cannot be read ({{error}})',
  'too-large': 'file is {{size}} bytes, over the {{cap}} MiB cap; it is not read — split it or move the data out of the repository',
  binary: 'file is binary (a NUL byte at offset {{offset}}); a text file is expected',
  'not-utf8': 'file is not valid UTF-8 (byte {{byte}} at offset {{offset}}); save it as UTF-8',
} as const satisfies Record<string, string>;

export type ReadMessageId = keyof typeof READ_MESSAGES;

export type FileText =
  | { ok: true; text: string; lines: LineIndex }
  | {
      ok: false;
      code: 'MISSING' | 'TOO_LARGE' | 'BINARY' | 'NOT_UTF8' | 'ESCAPES_ROOT' | 'UNREADABLE';
      /** {@link READ_MESSAGES}' message of the failure, rendered with `data`. */
      message: string;
      messageId: ReadMessageId;
      data: Record<string, unknown>;
      /** Where the fault is, when it has a place (1-based). */
      line?: number;
      /** The file's size, for `TOO_LARGE`. */
      bytes?: number;
      column?: number;
    };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a file of `root` as UTF-8 text (BOM stripped), or says precisely why it cannot. */
export function readText(root: string, file: string, maxBytes = MAX_FILE_BYTES): FileText {
  const abs = path.resolve(root, file);
  if (!isInside(root, abs)) return readFailure('ESCAPES_ROOT', 'outside-root', { file });
  let buf: Buffer;
  let fd: number | undefined;
  try {
    fd = openInside(root, abs);
    if (fd === undefined) {
      return readFailure('ESCAPES_ROOT', 'link-outside-root', { file });
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return readFailure('MISSING', 'not-a-file', { file });
    if (st.size > maxBytes) {
      return { ...readFailure('TOO_LARGE', 'too-large', { size: st.size.toLocaleString('en-US'), cap: maxBytes / 1024 / 1024 }), bytes: st.size };
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
    return code === 'ENOENT' ? readFailure('MISSING', 'missing', { file }) : readFailure('UNREADABLE', 'unreadable', { file, error: code ?? 'error' });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  const nul = buf.subarray(0, 8000).indexOf(0);
  if (nul !== -1) {
    return { ...readFailure('BINARY', 'binary', { offset: nul }), ...bytePlace(buf, nul) };
  }
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    const bad = firstBadUtf8(buf);
    return { ...readFailure('NOT_UTF8', 'not-utf8', { byte: `0x${(buf[bad] ?? 0).toString(16).padStart(2, '0')}`, offset: bad }), ...bytePlace(buf, bad) };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text, lines: new LineIndex(text) };
}

type Failure = Extract<FileText, { ok: false }>;

/** Why a file cannot be read, worded by {@link READ_MESSAGES}. */
export function readFailure(code: Failure['code'], messageId: ReadMessageId, data: Record<string, unknown>): Failure {
  return { ok: false, code, message: renderMessage(READ_MESSAGES[messageId], data), messageId, data };
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
function firstBadUtf8(buf: Uint8Array): number {
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
