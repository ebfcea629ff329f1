/** Severity of a finding; `error` fails the run. */
export type Severity = 'error' | 'warning' | 'notice';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'notice'];

/**
 * A source range. Lines and columns are 1-based; columns count characters (code points);
 * `endColumn` is exclusive (the column just after the last character), as in SARIF.
 */
export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * What a policy returns. Give a location one of three ways: a JSON `pointer` into a YAML
 * document (the runner resolves it against the source), an explicit `line`/`column`, or a
 * UTF-8 byte `offset` (and optional `endOffset`) into the file's text. With none, the
 * finding is placed at 1:1 of the file.
 */
export interface PolicyFinding {
  /** Root-relative POSIX path. */
  file: string;
  /**
   * The id of one of the policy's `messages`; the runner renders it with `data`
   * (`{{name}}` placeholders). Prefer it to a literal `message`.
   */
  messageId?: string;
  /** A literal message, for findings that no message template describes (e.g. internal errors). */
  message?: string;
  pointer?: string;
  /** YAML document index for multi-document files (default 0). */
  doc?: number;
  /** With `pointer`: report at the key (unknown/forbidden key) instead of the value. */
  at?: 'key' | 'value';
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  offset?: number;
  endOffset?: number;
  /** Overrides the policy's default severity for this finding. */
  severity?: Severity;
  /** Stable identity of what the finding is about (e.g. a statement or a value); feeds the fingerprint. */
  key?: string;
  /** The values of the message's placeholders; kept on the finding for reporters and tests. */
  data?: Record<string, unknown>;
}

/** A finding after the runner resolved it: complete, located, attributed. */
export interface Finding extends Range {
  policy: string;
  severity: Severity;
  message: string;
  /** The policy message this finding was rendered from, when it came from one. */
  messageId?: string;
  file: string;
  docs: string;
  fingerprint: string;
  pointer?: string;
  doc?: number;
  /** How many YAML documents the file holds, when more than one (`doc` says which one the finding is in). */
  docCount?: number;
  /** The finding's value was reached through a YAML alias: the alias's name and the 1-based line of its anchor. */
  alias?: { name: string; line: number };
  data?: Record<string, unknown>;
  /** Set when a waiver, an inline allow or the baseline accepts the finding: it stays in every report but never fails the run. */
  suppressed?: Suppression;
}

/** Why a finding does not count: who accepted it, where, and with what justification. */
export interface Suppression {
  /** `waiver`: an entry of the waiver file; `inline`: a `gates-allow` comment above the finding; `baseline`: the baseline file. */
  kind: 'waiver' | 'inline' | 'baseline';
  justification: string;
  /** The waiver's or the comment's file and 1-based line (the baseline file, for `baseline`). */
  file: string;
  line?: number;
  owner?: string;
  expires?: string;
}

export interface Summary {
  /** Unsuppressed findings at each severity: these decide the exit code. */
  errors: number;
  warnings: number;
  notices: number;
  /** Findings accepted by a waiver, an inline allow or the baseline. */
  suppressed: number;
}

export function summarize(findings: readonly Finding[]): Summary {
  const s: Summary = { errors: 0, warnings: 0, notices: 0, suppressed: 0 };
  for (const f of findings) {
    if (f.suppressed) s.suppressed++;
    else if (f.severity === 'error') s.errors++;
    else if (f.severity === 'warning') s.warnings++;
    else s.notices++;
  }
  return s;
}

/** Most severe first: error 0, warning 1, notice 2. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, notice: 2 };

/** Total order: file, position, policy, message. Findings without a file sort first. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.endLine - b.endLine ||
    a.endColumn - b.endColumn ||
    cmp(a.policy, b.policy) ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    cmp(a.message, b.message)
  );
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
