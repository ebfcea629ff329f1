import {
  type Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { Range } from './finding.ts';
import { decodePointer } from './pointer.ts';
import { renderMessage } from './policy.ts';
import { LineIndex } from './text.ts';

/**
 * The one wording of every problem of a YAML file as a whole, as policy messages (`{{name}}`
 * filled from the problem's `data`); `error` is the parser's own text.
 */
export const YAML_MESSAGES = {
  'empty-file': 'file is empty',
  'no-content': 'file holds no YAML content (only comments or blank lines)',
  'duplicate-key': 'duplicate key `{{key}}`; it is first defined at line {{firstLine}} — remove or rename one of them',
  'syntax-error': 'YAML syntax error: {{error}}',
  'syntax-warning': 'YAML warning: {{error}}',
  'alias-bomb': 'aliases expand past {{max}} nodes (a "billion laughs" alias bomb); the file is not read — flatten the repeated content',
  'unreadable-value': 'YAML value cannot be read: {{error}}',
} as const satisfies Record<string, string>;

export type YamlMessageId = keyof typeof YAML_MESSAGES;

/** A problem with a YAML file as a whole: syntax, duplicate key, alias bomb … */
export interface YamlProblem {
  code: string;
  /** A warning (the file still reads, e.g. a tag the parser did not resolve) or an error (the file is broken). */
  level: 'error' | 'warning';
  /** {@link YAML_MESSAGES}' message of the problem, rendered with `data`. */
  message: string;
  messageId: YamlMessageId;
  data: Record<string, unknown>;
  range: Range;
  doc: number;
}

/**
 * A parsed YAML file. Problems and plain values are kept for the whole run; the documents (the
 * AST that locates findings) are rebuilt on demand and only the most recently used are kept, so a
 * run over tens of thousands of files does not hold every AST in memory.
 */
export class YamlFile {
  readonly problems: YamlProblem[] = [];

  /** True when any problem is an error: some document cannot be read as data. */
  get broken(): boolean {
    return this.problems.some((p) => p.level === 'error');
  }

  /** The documents as plain data; undefined where the document is broken. */
  readonly values: unknown[] = [];
  docCount = 0;
  private cached: Document.Parsed[] | undefined;

  constructor(
    readonly path: string,
    readonly text: string,
    readonly lines: LineIndex,
  ) {}

  get docs(): Document.Parsed[] {
    if (!this.cached) this.keep(parseDocs(this.text).docs);
    return this.cached as Document.Parsed[];
  }

  /** Holds `docs` and evicts the least recently parsed files' documents beyond the cap. */
  keep(docs: Document.Parsed[]): void {
    this.cached = docs;
    recent.delete(this);
    recent.add(this);
    if (recent.size > KEPT_DOCUMENTS) {
      const oldest = recent.values().next().value as YamlFile;
      recent.delete(oldest);
      oldest.cached = undefined;
    }
  }
}

/** How many files keep their parsed documents between uses. */
const KEPT_DOCUMENTS = 8;
const recent = new Set<YamlFile>();

/** Aliases a file may expand before it is taken for a resource-exhaustion attack. */
const MAX_ALIAS_COUNT = 100;

function parseDocs(text: string): { docs: Document.Parsed[]; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  return { docs: Array.isArray(parsed) ? parsed : [], lineCounter };
}

export function parseYaml(path: string, text: string): YamlFile {
  const { docs, lineCounter } = parseDocs(text);
  const file = new YamlFile(path, text, new LineIndex(text, lineCounter.lineStarts));
  file.keep(docs);
  file.docCount = docs.length;
  if (text.trim() === '' || docs.length === 0 || docs.every((d) => d.contents === null && d.errors.length === 0)) {
    if (text.replace(/#.*$/gm, '').trim() === '') {
      file.problems.push({
        code: 'EMPTY',
        level: 'error',
        ...worded(text.length === 0 ? 'empty-file' : 'no-content'),
        range: { line: 1, column: 1, endLine: 1, endColumn: 1 },
        doc: 0,
      });
      return file;
    }
  }
  docs.forEach((doc, i) => {
    let broken = false;
    for (const err of doc.errors) {
      broken = true;
      file.problems.push(errorProblem(file, doc, i, err.code, err.message, err.pos));
    }
    for (const w of doc.warnings) {
      file.problems.push({ ...errorProblem(file, doc, i, w.code, w.message, w.pos, 'syntax-warning'), code: `WARN_${w.code}`, level: 'warning' });
    }
    let value: unknown;
    if (!broken) {
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (e) {
        broken = true;
        file.problems.push(aliasProblem(file, doc, i, e));
      }
    }
    file.values.push(broken ? undefined : value);
  });
  return file;
}

/** A message of {@link YAML_MESSAGES} with its data, and its text. */
function worded(messageId: YamlMessageId, data: Record<string, unknown> = {}): Pick<YamlProblem, 'message' | 'messageId' | 'data'> {
  return { message: renderMessage(YAML_MESSAGES[messageId], data), messageId, data };
}

function errorProblem(
  file: YamlFile,
  doc: Document.Parsed,
  index: number,
  code: string,
  message: string,
  pos: [number, number],
  syntax: 'syntax-error' | 'syntax-warning' = 'syntax-error',
): YamlProblem {
  const first = message.split('\n')[0] ?? message;
  if (code === 'DUPLICATE_KEY') {
    const dup = findDuplicateKey(doc, pos[0]);
    if (dup) {
      const firstLine = file.lines.position(dup.first[0]).line;
      return {
        code,
        level: 'error',
        ...worded('duplicate-key', { key: dup.key, firstLine }),
        range: file.lines.range(dup.second[0], dup.second[1]),
        doc: index,
      };
    }
  }
  let start = pos[0];
  // An error found at the end of the input (an unclosed bracket or quote) is shown on the last
  // line that has content, not on a line past the end of the file.
  if (file.text.slice(start).trim() === '') {
    const last = file.text.trimEnd().length - 1;
    if (last >= 0) start = Math.min(start, last);
  }
  const end = pos[1] > start ? Math.min(pos[1], file.text.length) : start + 1;
  return {
    code,
    level: 'error',
    ...worded(syntax, { error: first.replace(/ at line \d+, column \d+.*$/, '') }),
    range: file.lines.range(start, Math.min(end, file.text.length)),
    doc: index,
  };
}

function findDuplicateKey(doc: Document.Parsed, near: number): { key: string; first: [number, number]; second: [number, number] } | undefined {
  let found: { key: string; first: [number, number]; second: [number, number] } | undefined;
  let best = Infinity;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, [number, number]>();
      for (const pair of map.items) {
        const k = pair.key;
        if (!isScalar(k) || !k.range) continue;
        const name = String(k.value);
        const prev = seen.get(name);
        const here: [number, number] = [k.range[0], k.range[1]];
        if (prev) {
          const d = Math.abs(here[0] - near);
          if (d < best) {
            best = d;
            found = { key: name, first: prev, second: here };
          }
        } else seen.set(name, here);
      }
    },
  });
  return found;
}

function aliasProblem(file: YamlFile, doc: Document.Parsed, index: number, e: unknown): YamlProblem {
  let first: [number, number] | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.range) {
        first = [node.range[0], node.range[1]];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  const msg = e instanceof Error ? e.message : String(e);
  const bomb = /alias/i.test(msg);
  return {
    code: bomb ? 'ALIAS_BOMB' : 'YAML_VALUE',
    level: 'error',
    ...(bomb ? worded('alias-bomb', { max: MAX_ALIAS_COUNT }) : worded('unreadable-value', { error: msg })),
    range: first ? file.lines.range(first[0], first[1]) : { line: 1, column: 1, endLine: 1, endColumn: 1 },
    doc: index,
  };
}

export interface PointerLocation {
  range: Range;
  /** Set when the content was reached through an alias: where the anchor is. */
  anchor?: { name: string; line: number };
  /** False when the pointer did not exist and the nearest ancestor was used. */
  exact: boolean;
  /** True when the pointer designates a scalar value (its range is the value's own text). */
  scalar?: boolean;
}

/**
 * Resolves a JSON pointer to a source range: the key for `at: 'key'`, the value otherwise. A
 * missing path resolves to the closest existing ancestor's key; content reached through an alias
 * (or a `<<` merge) is located at the alias.
 */
export function locatePointer(file: YamlFile, pointer: string, opts: { doc?: number; at?: 'key' | 'value' } = {}): PointerLocation {
  const doc = file.docs[opts.doc ?? 0];
  const start: Range = { line: 1, column: 1, endLine: 1, endColumn: 1 };
  if (!doc) return { range: start, exact: false };
  const rangeOf = (n: { range?: [number, number, number?] | null } | null | undefined): Range | undefined =>
    n?.range ? file.lines.range(n.range[0], n.range[1]) : undefined;
  const rootRange = (): Range => {
    const c = doc.contents;
    if (c?.range) {
      const p = file.lines.position(c.range[0]);
      return { line: p.line, column: p.column, endLine: p.line, endColumn: p.column };
    }
    return start;
  };

  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  let alias: Alias | undefined;
  let lastKeyRange: Range | undefined;
  const segments = decodePointer(pointer);
  // The document itself has no key: a key-level finding about it sits at its start.
  if (segments.length === 0 && opts.at === 'key') return { range: rootRange(), exact: true };
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    if (isAlias(node)) {
      alias ??= node;
      node = node.resolve(doc);
    }
    let next: { pair?: Pair; value: unknown; via?: Alias } | undefined;
    if (isMap(node)) next = findInMap(doc, node, seg);
    else if (isSeq(node) && /^\d+$/.test(seg)) {
      const item = node.items[Number(seg)];
      if (item !== undefined) next = { value: item };
    }
    if (!next) {
      const range = lastKeyRange ?? rootRange();
      return { range, exact: false, ...anchorOf(file, doc, alias) };
    }
    if (next.via) alias ??= next.via;
    keyNode = next.pair && isScalar(next.pair.key) ? next.pair.key : undefined;
    const kr = alias ? undefined : rangeOf(keyNode);
    lastKeyRange = alias ? rangeOf(alias) : (kr ?? rangeOf(next.value as Node) ?? lastKeyRange);
    node = next.value;
  }
  if (alias) return { range: rangeOf(alias) ?? rootRange(), exact: true, ...anchorOf(file, doc, alias) };
  if (opts.at === 'key' && keyNode) return { range: rangeOf(keyNode) ?? rootRange(), exact: true };
  if (isAlias(node)) {
    return { range: rangeOf(node) ?? rootRange(), exact: true, ...anchorOf(file, doc, node) };
  }
  const vr = rangeOf(node as Node);
  if (vr) return { range: vr, exact: true, ...(opts.at !== 'key' && isScalar(node) ? { scalar: true } : {}) };
  // A null value (`key:` with nothing after it) has no range of its own: use the key.
  return { range: (keyNode && rangeOf(keyNode)) ?? rootRange(), exact: true };
}

function findInMap(doc: Document.Parsed, map: YAMLMap, seg: string): { pair?: Pair; value: unknown; via?: Alias } | undefined {
  for (const pair of map.items) {
    const k = pair.key;
    const name = isScalar(k) ? String(k.value) : String(k);
    if (name === seg && !isMergeKey(k)) return { pair, value: pair.value };
  }
  // Keys merged in with `<<: *anchor` (or a list of anchors) are reported at that alias.
  for (const pair of map.items) {
    if (!(isPair(pair) && isMergeKey(pair.key))) continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const src of sources) {
      if (!isAlias(src)) continue;
      const target = src.resolve(doc);
      if (isMap(target)) {
        const hit = findInMap(doc, target, seg);
        if (hit) return { ...hit, via: src };
      }
    }
  }
  return undefined;
}

/** A `<<` merge key (with `merge: true` its value is a symbol). */
function isMergeKey(k: unknown): boolean {
  return isScalar(k) && (typeof k.value === 'symbol' || (k.value === '<<' && k.source === '<<'));
}

function anchorOf(file: YamlFile, doc: Document.Parsed, alias: Alias | undefined): { anchor?: { name: string; line: number } } {
  if (!alias) return {};
  const target = alias.resolve(doc);
  if (!target?.range) return { anchor: { name: alias.source, line: 0 } };
  // The node's range starts after its `&anchor` token, which may stand on the line above.
  const at = file.text.lastIndexOf(`&${alias.source}`, target.range[0]);
  const line = file.lines.position(at === -1 ? target.range[0] : at).line;
  return { anchor: { name: alias.source, line } };
}
