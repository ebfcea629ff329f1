import fs from 'node:fs';
import path from 'node:path';
import { isInside } from './paths.ts';
import { LineIndex } from './text.ts';

/** Files larger than this are not read; the file is reported instead. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export type FileText =
  | { ok: true; text: string; lines: LineIndex }
  | {
      ok: false;
      code: 'MISSING' | 'TOO_LARGE' | 'BINARY' | 'NOT_UTF8' | 'ESCAPES_ROOT' | 'UNREADABLE';
      message: string;
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
    if (st.size > maxBytes) {
      return {
        ok: false,
        code: 'TOO_LARGE',
        bytes: st.size,
        message: `file is ${st.size.toLocaleString('en-US')} bytes, over the ${maxBytes / 1024 / 1024} MiB cap; it is not read — split it or move the data out of the repository`,
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
