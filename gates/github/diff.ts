import type { Finding } from '../core/finding.ts';

/** How one file changed against the merge base. */
export interface FileChange {
  /** git's status letter: A added, M modified, D deleted, R renamed, C copied, T type change. */
  status: 'A' | 'M' | 'D' | 'R' | 'C' | 'T';
  path: string;
  /** The path at the merge base, for renames and copies. */
  from?: string;
  /** New-side line numbers added or changed (`+` lines of the diff). */
  added: Set<number>;
  /** New-side line numbers shown as context around the changes (` ` lines, -U3). */
  context: Set<number>;
  /** Every line counts as added (an untracked file, or one git shows no hunks for). */
  wholeFile?: boolean;
}

/** The pull request's changes, keyed by new-side path. */
export type DiffIndex = ReadonlyMap<string, FileChange>;

/** Which findings become annotations; the rest stay in the summary and the reports. */
export type AnnotateMode = 'added' | 'diff_context' | 'file' | 'all';
export const ANNOTATE_MODES: readonly AnnotateMode[] = ['added', 'diff_context', 'file', 'all'];

/** Parses `git diff --name-status -z -M` output into changes (without line sets yet). */
export function parseNameStatus(z: string): FileChange[] {
  const parts = z.split('\0');
  const out: FileChange[] = [];
  for (let i = 0; i < parts.length;) {
    const code = parts[i++] ?? '';
    if (!code) continue;
    const letter = code[0] as FileChange['status'];
    if (letter === 'R' || letter === 'C') {
      const from = parts[i++] ?? '';
      const to = parts[i++] ?? '';
      out.push({ status: letter, path: to, from, added: new Set(), context: new Set() });
    } else {
      const p = parts[i++] ?? '';
      out.push({ status: letter, path: p, added: new Set(), context: new Set() });
    }
  }
  return out;
}

/**
 * Parses a unified diff (`git diff -U3`) into the new-side lines added and shown as context,
 * per new-side path. Hunk bodies are consumed by their line counts, so content lines that look
 * like headers (`+++`, `diff --git`) are never mistaken for them.
 */
export function parseUnifiedDiff(text: string): Map<string, { added: Set<number>; context: Set<number> }> {
  const files = new Map<string, { added: Set<number>; context: Set<number> }>();
  const lines = text.split('\n');
  let current: { added: Set<number>; context: Set<number> } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('diff --git ')) {
      current = undefined;
    } else if (line.startsWith('+++ ')) {
      const p = unquotePath(line.slice(4).replace(/\t$/, ''));
      if (p === '/dev/null') current = undefined;
      else {
        const rel = p.startsWith('b/') ? p.slice(2) : p;
        current = files.get(rel) ?? { added: new Set(), context: new Set() };
        files.set(rel, current);
      }
    } else if (line.startsWith('@@ ')) {
      const m = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m) continue;
      let oldLeft = m[1] === undefined ? 1 : Number(m[1]);
      let newLeft = m[3] === undefined ? 1 : Number(m[3]);
      let n = Number(m[2]);
      while ((oldLeft > 0 || newLeft > 0) && i + 1 < lines.length) {
        const body = lines[++i] as string;
        const tag = body[0];
        if (tag === '+') {
          current?.added.add(n++);
          newLeft--;
        } else if (tag === '-') oldLeft--;
        else if (tag === '\\') continue;
        else {
          current?.context.add(n++);
          oldLeft--;
          newLeft--;
        }
      }
    }
  }
  return files;
}

/** Undoes git's C-style quoting of unusual paths (`"a\tb\303\251"`). */
export function unquotePath(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** True when any line of the finding's range was added by the change. */
export function onAddedLines(f: Pick<Finding, 'file' | 'line' | 'endLine'>, diff: DiffIndex | undefined): boolean {
  const c = diff?.get(f.file);
  if (!c) return false;
  if (c.wholeFile) return true;
  for (let l = f.line; l <= Math.max(f.line, f.endLine); l++) if (c.added.has(l)) return true;
  return false;
}

/** Whether a finding becomes an annotation under `mode` (reviewdog's filter modes). */
export function annotatable(f: Pick<Finding, 'file' | 'line' | 'endLine'>, mode: AnnotateMode, diff: DiffIndex | undefined): boolean {
  if (mode === 'all') return true;
  const c = diff?.get(f.file);
  if (!c || c.status === 'D') return false;
  if (mode === 'file' || c.wholeFile) return true;
  if (onAddedLines(f, diff)) return true;
  if (mode === 'added') return false;
  for (let l = f.line; l <= Math.max(f.line, f.endLine); l++) if (c.context.has(l)) return true;
  return false;
}
