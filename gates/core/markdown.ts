// A small, line-based Markdown reader for the docs policies: headings, links, code spans, tables
// and front matter, each with its 1-based line and code-point column. Fenced code blocks are
// skipped everywhere (their content is an example, not a claim about the repository).
import { yamlLib } from './yaml.ts';

export interface MdLine {
  line: number;
  text: string;
}

export interface Heading {
  level: number;
  text: string;
  line: number;
}

export interface Span {
  text: string;
  line: number;
  /** 1-based code-point column of the span's first character (after the opening delimiter). */
  column: number;
}

export interface TableRow {
  line: number;
  cells: Span[];
}

export interface Table {
  line: number;
  headers: string[];
  rows: TableRow[];
}

export interface FrontMatter {
  data: Record<string, unknown>;
  /** Line of each top-level key. */
  keyLines: Record<string, number>;
  /** Line of the closing `---`. */
  endLine: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The lines of the text that are outside fenced code blocks and outside front matter. */
export function proseLines(text: string): MdLine[] {
  const lines = text.split(/\r?\n/);
  const out: MdLine[] = [];
  let fence: string | undefined;
  const fm = frontMatterEnd(lines);
  for (let i = fm; i < lines.length; i++) {
    const t = lines[i] ?? '';
    const m = FENCE.exec(t);
    if (fence) {
      if (m?.[1] && m[1][0] === fence[0] && m[1].length >= fence.length && t.trim() === m[1]) fence = undefined;
      continue;
    }
    if (m?.[1]) {
      fence = m[1];
      continue;
    }
    out.push({ line: i + 1, text: t });
  }
  return out;
}

function frontMatterEnd(lines: string[]): number {
  if (lines[0]?.trim() !== '---') return 0;
  for (let i = 1; i < lines.length; i++) if (lines[i]?.trim() === '---') return i + 1;
  return 0;
}

/** Leading `---` YAML front matter as a mapping; undefined when absent or not a mapping. */
export function frontMatter(text: string): FrontMatter | undefined {
  const lines = text.split(/\r?\n/);
  const end = frontMatterEnd(lines);
  if (end === 0) return undefined;
  let data: unknown;
  try {
    data = yamlLib().parse(lines.slice(1, end - 1).join('\n'));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const keyLines: Record<string, number> = {};
  for (let i = 1; i < end - 1; i++) {
    const m = /^([A-Za-z_][\w-]*)\s*:/.exec(lines[i] ?? '');
    if (m?.[1] && !(m[1] in keyLines)) keyLines[m[1]] = i + 1;
  }
  return { data: data as Record<string, unknown>, keyLines, endLine: end };
}

export function headings(text: string): Heading[] {
  const out: Heading[] = [];
  for (const { line, text: t } of proseLines(text)) {
    const m = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(t);
    if (m?.[1] && m[2] !== undefined) out.push({ level: m[1].length, text: m[2], line });
  }
  return out;
}

/** The prose lines under a heading, up to the next heading of the same or a higher level. */
export function sectionLines(text: string, heading: Heading): MdLine[] {
  const next = headings(text).find((h) => h.line > heading.line && h.level <= heading.level);
  return proseLines(text).filter((l) => l.line > heading.line && (!next || l.line < next.line));
}

function col(text: string, index: number): number {
  return [...text.slice(0, index)].length + 1;
}

/** Inline code spans of one line (backtick runs of equal length). */
export function codeSpans(l: MdLine): Span[] {
  const out: Span[] = [];
  const re = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;
  for (let m = re.exec(l.text); m; m = re.exec(l.text)) {
    const tick = m[1] ?? '';
    const inner = m[2] ?? '';
    const lead = inner.length - inner.trimStart().length;
    out.push({ text: inner.trim(), line: l.line, column: col(l.text, m.index + tick.length + lead) });
  }
  return out;
}

/** The line with its code spans blanked out (same length), so links inside code are not links. */
function withoutCode(t: string): string {
  return t.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (s) => ' '.repeat(s.length));
}

/**
 * Link destinations outside code: inline `[text](dest "title")`, images, autolinks `<scheme:...>`
 * are ignored (always absolute), and reference definitions `[label]: dest`.
 */
export function links(text: string): Span[] {
  const out: Span[] = [];
  for (const l of proseLines(text)) {
    const t = withoutCode(l.text);
    const def = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(t);
    if (def?.[1]) {
      const raw = def[1];
      const start = def.index + def[0].length - raw.length;
      out.push(dest(l, raw, start));
      continue;
    }
    const re = /\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)/g;
    for (let m = re.exec(t); m; m = re.exec(t)) {
      const raw = m[1] ?? '';
      if (raw === '') continue;
      out.push(dest(l, raw, m.index + m[0].length - raw.length));
    }
  }
  return out;
}

function dest(l: MdLine, raw: string, start: number): Span {
  const angled = raw.startsWith('<') && raw.endsWith('>');
  return { text: angled ? raw.slice(1, -1) : raw, line: l.line, column: col(l.text, angled ? start + 1 : start) };
}

function splitRow(l: MdLine): Span[] | undefined {
  const t = l.text;
  if (!/^\s*\|/.test(t)) return undefined;
  const cells: Span[] = [];
  // Split on pipes that are not escaped and not inside code spans.
  const masked = withoutCode(t).replace(/\\\|/g, '  ');
  let start = masked.indexOf('|') + 1;
  for (let i = start; i <= masked.length; i++) {
    if (i === masked.length || masked[i] === '|') {
      if (i === masked.length && masked.slice(start).trim() === '') break;
      const raw = t.slice(start, i);
      const lead = raw.length - raw.trimStart().length;
      cells.push({ text: raw.trim(), line: l.line, column: col(t, start + lead) });
      start = i + 1;
    }
  }
  return cells;
}

/** Pipe tables outside code blocks. */
export function tables(text: string): Table[] {
  const lines = proseLines(text);
  const out: Table[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const head = lines[i] as MdLine;
    const sep = lines[i + 1] as MdLine;
    if (sep.line !== head.line + 1 || !/^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(sep.text)) continue;
    const headers = splitRow(head);
    if (!headers) continue;
    const table: Table = { line: head.line, headers: headers.map((c) => c.text), rows: [] };
    let j = i + 2;
    for (; j < lines.length; j++) {
      const l = lines[j] as MdLine;
      const prev = lines[j - 1] as MdLine;
      if (l.line !== prev.line + 1) break;
      const cells = splitRow(l);
      if (!cells) break;
      table.rows.push({ line: l.line, cells });
    }
    out.push(table);
    i = j - 1;
  }
  return out;
}

/** Code spans inside a table cell, positioned on the row's line. */
export function cellCode(cell: Span): Span[] {
  const offset = cell.column - 1;
  return codeSpans({ line: cell.line, text: cell.text }).map((s) => ({ ...s, column: s.column + offset }));
}
