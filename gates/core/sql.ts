/**
 * SQL through the real Postgres parser (libpg-query, WASM). The module is loaded lazily, once
 * per process; after `loadSqlParser()` parsing is synchronous. Statement and token positions are
 * UTF-8 byte offsets into the text (as libpg-query reports them); `LineIndex.bytePosition` turns
 * them into 1-based line/column.
 */

import { createRequire } from 'node:module';

/** A node of the parse tree: `{ KindName: { ...fields } }`, as libpg-query's JSON gives it. */
export type SqlNode = Record<string, unknown>;

export interface SqlStatement {
  /** Node kind, e.g. `CreateStmt`, `IndexStmt`. */
  kind: string;
  /** The statement's fields (the value under `kind`). */
  node: Record<string, unknown>;
  /** UTF-8 byte offset of the statement's first token (leading comments skipped). */
  offset: number;
  /** UTF-8 byte offset just past the statement (without the `;`). */
  end: number;
  /** The statement's source text. */
  text: string;
}

export interface SqlToken {
  start: number;
  end: number;
  text: string;
  /** e.g. `IDENT`, `SQL_COMMENT`, `C_COMMENT`, `SCONST`. */
  name: string;
}

export type SqlParse =
  | { ok: true; statements: SqlStatement[] }
  | {
      ok: false;
      /** Postgres's message, e.g. `syntax error at or near "tabl"`. */
      message: string;
      /** UTF-8 byte offset of the error. */
      offset: number;
    };

interface Parser {
  parseSync(sql: string): { stmts?: Array<{ stmt?: SqlNode; stmt_location?: number; stmt_len?: number }> };
  /** Only the newest bundled major's package exports the scanner. */
  scanSync(sql: string): { tokens: Array<{ start: number; end: number; text: string; tokenName: string }> };
}

/** Postgres majors whose parser is bundled (libpg-query publishes one version line per major). */
export type PgMajor = 15 | 17 | 18;
/** The newest bundled parser: the scanner (`scanSql`) always uses it. */
export const NEWEST_PG_MAJOR: PgMajor = 18;

const parsers = new Map<PgMajor, Parser>();
const loading = new Map<PgMajor, Promise<Parser>>();

/**
 * The parser package of a major. `require`, not `import()`: the packages are CommonJS, and
 * importing them from ESM first scans their source for exports (≈25 ms of the load).
 */
function requireParser(major: PgMajor): unknown {
  const require = createRequire(import.meta.url);
  if (major === 15) return require('libpg-query-15');
  if (major === 17) return require('libpg-query-17');
  return require('libpg-query');
}

/**
 * Loads the WASM parser of a Postgres major (about 50 ms each); call once before the synchronous
 * functions below. The scanner is the newest major's, so it is loaded too.
 */
export async function loadSqlParser(major: PgMajor = NEWEST_PG_MAJOR): Promise<void> {
  for (const m of new Set<PgMajor>([major, NEWEST_PG_MAJOR])) {
    if (parsers.has(m)) continue;
    let p = loading.get(m);
    if (!p) {
      p = (async () => {
        const mod = requireParser(m) as Parser & { loadModule?: () => Promise<void> };
        await mod.loadModule?.();
        return mod;
      })();
      loading.set(m, p);
    }
    parsers.set(m, await p);
  }
}

function need(major: PgMajor = NEWEST_PG_MAJOR): Parser {
  const parser = parsers.get(major);
  if (!parser) throw new Error(`the SQL parser of Postgres ${major} is not loaded; await loadSqlParser(${major}) first`);
  return parser;
}

/**
 * Parses a whole file into statements with byte positions, or returns Postgres's error, with the
 * grammar of Postgres `major` (default the newest bundled): `generated always as (...) virtual`
 * is a syntax error before 18.
 */
export function parseSql(text: string, major: PgMajor = NEWEST_PG_MAJOR): SqlParse {
  const p = need(major);
  let tree: ReturnType<Parser['parseSync']>;
  try {
    tree = p.parseSync(text);
  } catch (e) {
    const details = (e as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const message = details?.message ?? (e instanceof Error ? e.message : String(e));
    // libpg-query's cursor is a 0-based character (code point) index; make it a byte offset.
    const chars = Math.max(0, details?.cursorPosition ?? 0);
    return { ok: false, message, offset: charToByte(text, chars) };
  }
  const bytes = Buffer.from(text, 'utf8');
  const statements: SqlStatement[] = [];
  for (const raw of tree.stmts ?? []) {
    const stmt = raw.stmt ?? {};
    const kind = Object.keys(stmt)[0] ?? 'Unknown';
    const start = raw.stmt_location ?? 0;
    // stmt_len 0 means "to the end of the text" (the last statement without a `;`).
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const slice = bytes.subarray(start, end).toString('utf8');
    // The location may include leading whitespace and comments: move to the first token.
    const lead = leadingTrivia(slice);
    const offset = start + Buffer.byteLength(slice.slice(0, lead));
    statements.push({ kind, node: (stmt[kind] ?? {}) as Record<string, unknown>, offset, end, text: slice.slice(lead).trimEnd() });
  }
  return { ok: true, statements };
}

/** The lexer's tokens (comments included) with byte offsets; undefined when the text does not scan. */
export function scanSql(text: string): SqlToken[] | undefined {
  try {
    return need()
      .scanSync(text)
      .tokens.map((t) => ({ start: t.start, end: t.end, text: t.text, name: t.tokenName }));
  } catch {
    return undefined;
  }
}

/** Byte offset of the `chars`-th code point of `text`. */
export function charToByte(text: string, chars: number): number {
  let bytes = 0;
  let n = 0;
  for (const ch of text) {
    if (n >= chars) break;
    bytes += Buffer.byteLength(ch);
    n++;
  }
  return bytes;
}

/** Length (UTF-16 units) of the whitespace and comments at the start of `s`. */
function leadingTrivia(s: string): number {
  let i = 0;
  for (;;) {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
    if (s.startsWith('--', i)) {
      const nl = s.indexOf('\n', i);
      i = nl === -1 ? s.length : nl + 1;
    } else if (s.startsWith('/*', i)) {
      const close = s.indexOf('*/', i + 2);
      i = close === -1 ? s.length : close + 2;
    } else return i;
  }
}

/** Depth-first walk over every node object of a parse tree; `visit(kind, fields)`. */
export function walkSql(node: unknown, visit: (kind: string, fields: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walkSql(n, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  // The hot loop of the migration lint: no entry arrays, no regular expression per key.
  const fields = node as Record<string, unknown>;
  for (const k in fields) {
    const v = fields[k];
    if (!v || typeof v !== 'object') continue;
    // A node kind is a key that starts with a capital letter (`CreateStmt`, `ColumnDef` …).
    const c = k.charCodeAt(0);
    if (c >= 65 && c <= 90 && !Array.isArray(v)) visit(k, v as Record<string, unknown>);
    walkSql(v, visit);
  }
}

/** The strings of a `names` list (`[{String: {sval}}]`). */
export function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '').filter((s) => s !== '');
}

/** `schema.name` of a RangeVar (`public` when unqualified). */
export function qualifiedName(rangeVar: unknown): { schema: string | undefined; name: string; location: number | undefined } | undefined {
  if (!rangeVar || typeof rangeVar !== 'object') return undefined;
  const rv = rangeVar as { schemaname?: string; relname?: string; location?: number };
  if (!rv.relname) return undefined;
  return { schema: rv.schemaname, name: rv.relname, location: rv.location };
}
