import picomatch from 'picomatch';
import type { Finding } from './finding.ts';
import type { RepoContext } from './repo.ts';
import { locatePointer } from './yaml.ts';
import { isRecord } from './data.ts';

/** The waiver file of the SSOT. */
import { WAIVER_FILE } from './ssot-files.ts';
/** A waiver may run at most this many days ahead: accepted risks are revisited. */
export const MAX_WAIVER_DAYS = 180;

/** One entry of the waiver file, with where it stands. */
export interface Waiver {
  /** Index in `waivers`. */
  index: number;
  /** 1-based line of the entry in the waiver file. */
  line: number;
  policy: string;
  files?: string[];
  fingerprint?: string;
  reason: string;
  owner: string;
  /** YYYY-MM-DD, the last day it holds. */
  expires: string;
  link?: string;
}

/** The waivers of the waiver file; entries the schema would reject (ssot/schema reports them) are left out. */
export function loadWaivers(ctx: RepoContext): Waiver[] {
  return ctx.memo('waivers/entries', () => {
    const data = ctx.data(WAIVER_FILE);
    const list = isRecord(data) ? data.waivers : undefined;
    if (!Array.isArray(list)) return [];
    const y = ctx.yaml(WAIVER_FILE);
    const out: Waiver[] = [];
    list.forEach((raw, index) => {
      if (!isRecord(raw)) return;
      const { policy, reason, owner, expires, fingerprint, link } = raw;
      const files =
        typeof raw.files === 'string' ? [raw.files] : Array.isArray(raw.files) ? raw.files.filter((f): f is string => typeof f === 'string') : undefined;
      if (typeof policy !== 'string' || typeof reason !== 'string' || typeof owner !== 'string' || typeof expires !== 'string') return;
      if (!files?.length && typeof fingerprint !== 'string') return;
      const line = y ? locatePointer(y, `/waivers/${index}`).range.line : 1;
      out.push({
        index,
        line,
        policy,
        reason,
        owner,
        expires,
        ...(files?.length ? { files } : {}),
        ...(typeof fingerprint === 'string' ? { fingerprint } : {}),
        ...(typeof link === 'string' ? { link } : {}),
      });
    });
    return out;
  });
}

/** Today in UTC as YYYY-MM-DD, or the run's fixed date (`today` in the gate options, for tests). */
export function today(ctx: RepoContext): string {
  return ctx.options.today ?? new Date().toISOString().slice(0, 10);
}

/** Days from `from` to `to` (both YYYY-MM-DD); NaN when either is not a date. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Whether a waiver holds today: not expired and not further ahead than allowed. */
export function inForce(w: Waiver, day: string): boolean {
  const left = daysBetween(day, w.expires);
  return left >= 0 && left <= MAX_WAIVER_DAYS;
}

/**
 * An inline allow: `-- gates-allow <policy>: <reason>` (SQL), `# …` (YAML, shell), `// …`
 * (TypeScript, JavaScript), `<!-- … -->` (Markdown, HTML), on the line above the finding. Each
 * file kind reads only its own comment form, so examples in other kinds of files are not allows.
 */
export interface InlineAllow {
  file: string;
  /** 1-based line of the comment. */
  line: number;
  policy: string;
  reason: string;
}

const ALLOW_BODY = String.raw`gates-allow\s+([a-z0-9-]+\/[a-z0-9-]+)\s*:\s*(\S.*?)`;
const ALLOW_FORMS: Array<[RegExp, RegExp]> = [
  [/\.sql$/i, new RegExp(String.raw`^\s*--\s*${ALLOW_BODY}\s*$`)],
  [/(\.ya?ml|\.sh|\.bash|\.toml|\.py|\.rb|(^|\/)Dockerfile|(^|\/)\.env[^/]*)$/i, new RegExp(String.raw`^\s*#\s*${ALLOW_BODY}\s*$`)],
  [/\.(md|markdown|html?)$/i, new RegExp(String.raw`^\s*<!--\s*${ALLOW_BODY}\s*-->\s*$`)],
  [/\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/i, new RegExp(String.raw`^\s*\/\/\s*${ALLOW_BODY}\s*$`)],
];

/** The comment form of a file's kind, or undefined when the kind has none. */
export function allowForm(file: string): RegExp | undefined {
  return ALLOW_FORMS.find(([kind]) => kind.test(file))?.[1];
}

/** Parses one line as an inline allow of the file's kind. */
export function parseAllow(file: string, text: string, line: number): InlineAllow | undefined {
  const m = allowForm(file)?.exec(text);
  return m ? { file, line, policy: m[1] as string, reason: (m[2] as string).trim() } : undefined;
}

/** Every inline allow of a file. */
export function allowsIn(ctx: RepoContext, file: string): InlineAllow[] {
  if (!allowForm(file)) return [];
  const t = ctx.read(file);
  if (!t.ok || !t.text.includes('gates-allow')) return [];
  const out: InlineAllow[] = [];
  for (let l = 1; l <= t.lines.lineCount; l++) {
    const a = parseAllow(file, t.lines.lineText(l), l);
    if (a) out.push(a);
  }
  return out;
}

/** The allows stacked directly above a line (a run of allow comments ending on the line before it). */
function allowsAbove(ctx: RepoContext, file: string, line: number): InlineAllow[] {
  const t = ctx.read(file);
  if (!allowForm(file) || !t.ok || !t.text.includes('gates-allow')) return [];
  const out: InlineAllow[] = [];
  for (let l = line - 1; l >= 1; l--) {
    const a = parseAllow(file, t.lines.lineText(l), l);
    if (!a) break;
    out.push(a);
  }
  return out;
}

/** What suppressed which findings: the waivers and inline allows that matched at least one. */
export interface SuppressionUse {
  /** Lines of the waiver file's entries that matched. */
  waivers: Set<number>;
  /** `file:line` of each inline allow that matched. */
  inline: Set<string>;
}

/**
 * Marks the findings that a waiver in force or an inline allow accepts. Waivers are tried first (their
 * owner and expiry are on record), then the allows above the finding's first line.
 */
export function applyWaivers(ctx: RepoContext, findings: Finding[]): SuppressionUse {
  const use: SuppressionUse = { waivers: new Set(), inline: new Set() };
  const day = today(ctx);
  const waivers = ctx.exists(WAIVER_FILE) ? loadWaivers(ctx).filter((w) => inForce(w, day)) : [];
  const matchers = new Map(waivers.map((w) => [w, w.files ? picomatch(w.files, { dot: true }) : undefined]));
  for (const f of findings) {
    if (f.suppressed) continue;
    const w = waivers.find(
      (x) => x.policy === f.policy && (x.fingerprint === undefined || x.fingerprint === f.fingerprint) && (matchers.get(x)?.(f.file) ?? true),
    );
    if (w) {
      use.waivers.add(w.line);
      f.suppressed = { kind: 'waiver', justification: w.reason, file: WAIVER_FILE, line: w.line, owner: w.owner, expires: w.expires };
      continue;
    }
    const a = allowsAbove(ctx, f.file, f.line).find((x) => x.policy === f.policy);
    if (a) {
      use.inline.add(`${a.file}:${a.line}`);
      f.suppressed = { kind: 'inline', justification: a.reason, file: a.file, line: a.line };
    }
  }
  return use;
}

/** Which waivers and inline allows suppressed something, read back from findings (e.g. merged shard reports). */
export function usesOf(findings: readonly Finding[]): SuppressionUse {
  const use: SuppressionUse = { waivers: new Set(), inline: new Set() };
  for (const f of findings) {
    const s = f.suppressed;
    if (s?.kind === 'inline' && s.line !== undefined) use.inline.add(`${s.file}:${s.line}`);
    if (s?.kind === 'waiver' && s.line !== undefined) use.waivers.add(s.line);
  }
  return use;
}
