import type { Range } from './finding.ts';

/**
 * Line table over a text, for turning offsets into 1-based line/column positions where a
 * column counts characters (code points), so astral characters, CRLF and a stripped BOM never
 * shift a position.
 */
export class LineIndex {
  readonly text: string;
  private starts: number[] | undefined;
  private byteStarts: number[] | undefined;
  private bytes: Buffer | undefined;

  constructor(text: string, lineStarts?: number[]) {
    this.text = text;
    this.starts = lineStarts;
  }

  get lineStarts(): number[] {
    if (!this.starts) {
      const starts = [0];
      let i = this.text.indexOf('\n');
      while (i !== -1) {
        starts.push(i + 1);
        i = this.text.indexOf('\n', i + 1);
      }
      this.starts = starts;
    }
    return this.starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The text of 1-based line `line`, without its line break. */
  lineText(line: number): string {
    const starts = this.lineStarts;
    const start = starts[line - 1];
    if (start === undefined) return '';
    const next = starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  /** 1-based line and code-point column of a UTF-16 string index. */
  position(index: number): { line: number; column: number } {
    const starts = this.lineStarts;
    const i = Math.max(0, Math.min(index, this.text.length));
    const line = upperBound(starts, i);
    const start = starts[line - 1] ?? 0;
    return { line, column: codePoints(this.text, start, i) + 1 };
  }

  /** Range of the UTF-16 span [start, end). */
  range(start: number, end: number): Range {
    const a = this.position(start);
    const b = this.position(Math.max(start, end));
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  /** 1-based line and code-point column of a UTF-8 byte offset (as libpg-query reports). */
  bytePosition(offset: number): { line: number; column: number } {
    if (!this.bytes) this.bytes = Buffer.from(this.text, 'utf8');
    if (!this.byteStarts) {
      const starts = [0];
      const b = this.bytes;
      for (let i = 0; i < b.length; i++) if (b[i] === 10) starts.push(i + 1);
      this.byteStarts = starts;
    }
    const o = Math.max(0, Math.min(offset, this.bytes.length));
    const line = upperBound(this.byteStarts, o);
    const start = this.byteStarts[line - 1] ?? 0;
    const column = [...this.bytes.subarray(start, o).toString('utf8')].length + 1;
    return { line, column };
  }

  byteRange(start: number, end: number): Range {
    const a = this.bytePosition(start);
    const b = this.bytePosition(Math.max(start, end));
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  /** Range covering line `line` from `column` to its end (at least one column wide is not forced). */
  lineRange(line: number, column = 1): Range {
    const text = this.lineText(line);
    const width = [...text].length;
    return { line, column, endLine: line, endColumn: Math.max(column, width + 1) };
  }
}

/** Number of code points in text[from, to). */
function codePoints(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** 1-based index of the last start <= value. */
function upperBound(starts: readonly number[], value: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((starts[mid] ?? 0) <= value) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(1, lo);
}

/**
 * JSON with comments (JSONC, as VS Code reads `.vscode/settings.json`) turned into plain JSON of
 * the same length: `//` and `/* *\/` comments and trailing commas become spaces, line breaks stay,
 * so every offset, line and column of the result is the source's.
 */
export function blankJsonc(text: string): string {
  const out = text.split('');
  const n = text.length;
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  // Pass 1: comments, outside strings.
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < n && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      blank(i, end === -1 ? n : end);
      i = end === -1 ? n : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      blank(i, end === -1 ? n : end + 2);
      i = end === -1 ? n : end + 2;
    } else i++;
  }
  // Pass 2: a comma followed only by white space before `}` or `]`, outside strings.
  const blanked = out.join('');
  for (i = 0; i < n; i++) {
    const c = blanked[i];
    if (c === '"') {
      for (i++; i < n && blanked[i] !== '"' && blanked[i] !== '\n'; i++) if (blanked[i] === '\\') i++;
    } else if (c === ',') {
      let k = i + 1;
      while (k < n && /\s/.test(blanked[k] as string)) k++;
      if (blanked[k] === '}' || blanked[k] === ']') out[i] = ' ';
    }
  }
  return out.join('');
}
