// Spec Kit bundles (`spec/<slug>/`) and the parser of their `tasks.md`:
// `## Phase N — Title` headings, task lines `- [ ] T012 [P] [US1] text with path`.
import type { RepoContext } from '../../../gates/core/repo.ts';

/** The bundles this repository must hold, whatever else is under spec/. */
const REQUIRED_BUNDLES = ['odooops-console'];
export const REQUIRED_FILES = ['spec.md', 'plan.md', 'tasks.md'];

/** Bundle folders: every folder directly under spec/ that holds a file, plus the required ones. */
export function bundles(ctx: RepoContext): string[] {
  const found = new Set(REQUIRED_BUNDLES.map((b) => `spec/${b}`));
  for (const f of ctx.glob('spec/*/**')) found.add(f.split('/').slice(0, 2).join('/'));
  return [...found].sort();
}

export interface Phase {
  line: number;
  number: number;
  title: string;
}

export interface Task {
  line: number;
  done: boolean;
  id: string;
  number: number;
  parallel: boolean;
  story: string | undefined;
  text: string;
  /** Backticked spans of the line: the text inside and the 1-based column of its first character. */
  spans: Array<{ text: string; column: number }>;
}

export interface TasksProblem {
  line: number;
  column: number;
  /** Exclusive end column on the same line; the problem runs to the end of the line without it. */
  endColumn?: number;
  /** One of {@link TASKS_MESSAGES}. */
  messageId: keyof typeof TASKS_MESSAGES;
  data?: Record<string, unknown>;
  key: string;
}

export interface TasksDoc {
  phases: Phase[];
  tasks: Task[];
  problems: TasksProblem[];
}

const PHASE = /^##\s+Phase\s+(\d+)\b\s*[:—–-]?\s*(.*)$/;
const TASK = /^- \[([ xX])\] (T(\d{3,}))( \[P\])?( \[(US\d+)\])? (\S.*)$/;
const FORM = '`- [ ] T012 [P] [US1] description` (`[P]` and `[US1]` optional, `- [x]` when done)';

/** What the parser finds wrong in a tasks.md, as message templates (`{{name}}` filled from a problem's data). */
export const TASKS_MESSAGES = {
  'phase-order': 'Phase {{number}} should be Phase {{expected}}: number the phases 1, 2, 3 … in order',
  malformed: `malformed task line; write ${FORM}`,
  'outside-phase': 'task {{task}} is outside any phase; put it under a `## Phase N — Title` heading',
  'duplicate-id': 'task id {{task}} is already used at line {{first}}; give each task its own id',
  'out-of-order': 'task {{task}} comes after {{previous}} (line {{previousLine}}); task ids run in order — renumber the tasks',
  'no-phases': 'tasks.md has no `## Phase N — Title` heading; group the tasks in phases',
  'no-tasks': `tasks.md holds no task line; write tasks as ${FORM}`,
} as const;

/** Where the id of a task line starts: after `- [ ] `. */
const ID_COLUMN = 7;

function columnOf(line: string, index: number): number {
  return [...line.slice(0, index)].length + 1;
}

export function parseTasks(text: string): TasksDoc {
  const doc: TasksDoc = { phases: [], tasks: [], problems: [] };
  const seen = new Map<string, number>();
  let inPhase = false;
  let fence = false;
  let last: Task | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const n = i + 1;
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) return;
    const ph = PHASE.exec(line);
    if (ph) {
      const number = Number(ph[1]);
      const expected = (doc.phases.at(-1)?.number ?? 0) + 1;
      if (number !== expected) {
        doc.problems.push({ line: n, column: 1, key: `phase-order:${number}`, messageId: 'phase-order', data: { number, expected } });
      }
      doc.phases.push({ line: n, number, title: ph[2] ?? '' });
      inPhase = true;
      return;
    }
    if (/^##\s/.test(line)) {
      inPhase = false;
      return;
    }
    if (!line.startsWith('- [')) return;
    const m = TASK.exec(line);
    if (!m) {
      doc.problems.push({ line: n, column: 1, key: `malformed:${line}`, messageId: 'malformed' });
      return;
    }
    const id = m[2] as string;
    const task: Task = {
      line: n,
      done: m[1] !== ' ',
      id,
      number: Number(m[3]),
      parallel: m[4] !== undefined,
      story: m[6],
      text: m[7] as string,
      spans: [...line.matchAll(/`([^`]+)`/g)].map((s) => ({ text: s[1] as string, column: columnOf(line, (s.index ?? 0) + 1) })),
    };
    if (!inPhase) {
      doc.problems.push({ line: n, column: 1, key: `outside:${id}`, messageId: 'outside-phase', data: { task: id } });
    }
    const first = seen.get(id);
    const atId = { line: n, column: ID_COLUMN, endColumn: ID_COLUMN + id.length };
    if (first !== undefined) {
      doc.problems.push({ ...atId, key: `duplicate:${id}`, messageId: 'duplicate-id', data: { task: id, first } });
    } else {
      seen.set(id, n);
      if (last && task.number <= last.number) {
        doc.problems.push({ ...atId, key: `order:${id}`, messageId: 'out-of-order', data: { task: id, previous: last.id, previousLine: last.line } });
      }
    }
    doc.tasks.push(task);
    last = task;
  });
  if (doc.phases.length === 0) doc.problems.push({ line: 1, column: 1, key: 'no-phases', messageId: 'no-phases' });
  if (doc.tasks.length === 0) doc.problems.push({ line: 1, column: 1, key: 'no-tasks', messageId: 'no-tasks' });
  return doc;
}

export type EvidenceKind = 'migration' | 'policy-or-path' | 'path';

const FILE_EXT = /\.(md|ya?ml|json|ts|tsx|js|mjs|sql|sh)$/;

/** What a backticked span names as evidence, or undefined when it is no reference (code, a URL path, a table). */
export function evidenceKind(span: string): EvidenceKind | undefined {
  const t = span.trim();
  if (/\s|[*<>{}$]|:\/\//.test(t) || t.startsWith('/') || t === '') return undefined;
  if (/^\d{14}_[A-Za-z0-9_]+\.sql$/.test(t)) return 'migration';
  if (/^[a-z0-9]+(-[a-z0-9]+)*\/[a-z0-9]+(-[a-z0-9]+)*$/.test(t)) return 'policy-or-path';
  if (t.includes('/') || FILE_EXT.test(t)) return 'path';
  return undefined;
}

/**
 * The name the evidence was looked up by (the span without `./` or a trailing `/`) when it does
 * not exist in the repository, or undefined when it does.
 */
export function missingEvidence(ctx: RepoContext, span: string, kind: EvidenceKind): string | undefined {
  const t = span.trim().replace(/^\.\//, '').replace(/\/$/, '');
  const pathExists = (p: string) => ctx.exists(p) || ctx.files.some((f) => f.startsWith(`${p}/`));
  if (kind === 'migration') return ctx.files.some((f) => f === `migrations/${t}` || f.endsWith(`/${t}`)) ? undefined : t;
  if (kind === 'policy-or-path') return pathExists(t) || ctx.exists(`policies/${t}.ts`) ? undefined : t;
  return pathExists(t) ? undefined : t;
}
