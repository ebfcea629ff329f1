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
  message: string;
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
        doc.problems.push({ line: n, column: 1, key: `phase-order:${number}`, message: `Phase ${number} should be Phase ${expected}: number the phases 1, 2, 3 … in order` });
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
      doc.problems.push({ line: n, column: 1, key: `malformed:${line}`, message: `malformed task line; write ${FORM}` });
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
      doc.problems.push({ line: n, column: 1, key: `outside:${id}`, message: `task ${id} is outside any phase; put it under a \`## Phase N — Title\` heading` });
    }
    const first = seen.get(id);
    if (first !== undefined) {
      doc.problems.push({ line: n, column: 7, key: `duplicate:${id}`, message: `task id ${id} is already used at line ${first}; give each task its own id` });
    } else {
      seen.set(id, n);
      if (last && task.number <= last.number) {
        doc.problems.push({ line: n, column: 7, key: `order:${id}`, message: `task ${id} comes after ${last.id} (line ${last.line}); task ids run in order — renumber the tasks` });
      }
    }
    doc.tasks.push(task);
    last = task;
  });
  if (doc.phases.length === 0) doc.problems.push({ line: 1, column: 1, key: 'no-phases', message: 'tasks.md has no `## Phase N — Title` heading; group the tasks in phases' });
  if (doc.tasks.length === 0) doc.problems.push({ line: 1, column: 1, key: 'no-tasks', message: `tasks.md holds no task line; write tasks as ${FORM}` });
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

/** Why the evidence does not exist in the repository, or undefined when it does. */
export function missingEvidence(ctx: RepoContext, span: string, kind: EvidenceKind): string | undefined {
  const t = span.trim().replace(/^\.\//, '').replace(/\/$/, '');
  const pathExists = (p: string) => ctx.exists(p) || ctx.files.some((f) => f.startsWith(`${p}/`));
  if (kind === 'migration') {
    return ctx.files.some((f) => f === `migrations/${t}` || f.endsWith(`/${t}`)) ? undefined : `no migration file ${t} exists (under migrations/)`;
  }
  if (kind === 'policy-or-path') {
    return pathExists(t) || ctx.exists(`policies/${t}.ts`) ? undefined : `neither a policy ${t} (policies/${t}.ts) nor a path ${t} exists`;
  }
  return pathExists(t) ? undefined : `${t} does not exist`;
}
