import type { PolicyFinding, Severity } from '../../../gates/core/finding.ts';
import { names, walkSql, type SqlStatement, type SqlToken } from '../../../gates/core/sql.ts';

/** The lint rules of new migrations; ids are stable (justifications name them). */
export const RULES = {
  'drop-table': 'error',
  'drop-column': 'error',
  'rename-table': 'error',
  'rename-column': 'error',
  'concurrently-in-transaction': 'error',
  'index-non-concurrent': 'warning',
  'not-null-without-default': 'error',
  'prefer-text': 'warning',
  'prefer-jsonb': 'warning',
  'prefer-identity': 'warning',
  'prefer-timestamptz': 'warning',
  'identifier-too-long': 'error',
  'unqualified-name': 'warning',
} as const satisfies Record<string, Severity>;
export type RuleId = keyof typeof RULES;

export function isRule(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}

export interface Hit {
  rule: RuleId;
  /** UTF-8 byte offset in the file. */
  offset: number;
  message: string;
}

/** Tables in play while linting a file: `schema.name` (unqualified names count as `public`). */
export interface TableState {
  /** Created by a new migration earlier in this change (or earlier in this file). */
  createdInChange: Set<string>;
}

const qualify = (schema: string | undefined, name: string): string => `${schema ?? 'public'}.${name}`;

function rangeVar(rv: unknown): { key: string; schema: string | undefined; name: string; location: number | undefined } | undefined {
  const r = (rv ?? {}) as { schemaname?: string; relname?: string; location?: number };
  if (!r.relname) return undefined;
  return { key: qualify(r.schemaname, r.relname), schema: r.schemaname, name: r.relname, location: r.location };
}

const justify = (rule: RuleId): string => `if it is intended, justify it on the line above: \`-- lint-allow ${rule}: <reason>\``;

/** The rule hits of one statement. `state` is updated with the tables the statement creates. */
export function lintStatement(s: SqlStatement, state: TableState): Hit[] {
  const hits: Hit[] = [];
  const existing = (key: string): boolean => !state.createdInChange.has(key);
  const n = s.node;
  switch (s.kind) {
    case 'DropStmt': {
      if (n.concurrent) hits.push({ rule: 'concurrently-in-transaction', offset: s.offset, message: concurrentlyMessage('drop index concurrently') });
      if (n.removeType === 'OBJECT_TABLE') {
        for (const obj of (n.objects as unknown[] | undefined) ?? []) {
          const parts = names((obj as { List?: { items?: unknown } }).List?.items);
          const name = parts.at(-1);
          if (!name) continue;
          const key = qualify(parts.length > 1 ? parts[0] : undefined, name);
          if (existing(key)) hits.push({ rule: 'drop-table', offset: s.offset, message: `dropping table ${key} destroys its data and breaks every reader still deployed; ${justify('drop-table')}` });
          state.createdInChange.delete(key);
        }
      }
      break;
    }
    case 'AlterTableStmt': {
      const t = rangeVar(n.relation);
      if (!t) break;
      for (const c of (n.cmds as unknown[] | undefined) ?? []) {
        const cmd = ((c as { AlterTableCmd?: Record<string, unknown> }).AlterTableCmd ?? {}) as Record<string, unknown>;
        if (cmd.subtype === 'AT_DropColumn' && existing(t.key)) {
          hits.push({ rule: 'drop-column', offset: s.offset, message: `dropping column ${String(cmd.name)} of ${t.key} destroys its data and breaks readers still deployed; ${justify('drop-column')}` });
        }
        if (cmd.subtype === 'AT_AddColumn' && existing(t.key)) {
          const def = ((cmd.def as { ColumnDef?: Record<string, unknown> } | undefined)?.ColumnDef ?? {}) as Record<string, unknown>;
          const cons = ((def.constraints as unknown[] | undefined) ?? []).map((k) => String((k as { Constraint?: { contype?: string } }).Constraint?.contype));
          if (cons.includes('CONSTR_NOTNULL') && !cons.some((k) => k === 'CONSTR_DEFAULT' || k === 'CONSTR_IDENTITY' || k === 'CONSTR_GENERATED')) {
            hits.push({
              rule: 'not-null-without-default',
              offset: typeof def.location === 'number' ? def.location : s.offset,
              message: `adding NOT NULL column ${String(def.colname)} without a default to existing table ${t.key} fails as soon as the table has a row; add a default, or add the column nullable, backfill, then set NOT NULL`,
            });
          }
        }
      }
      break;
    }
    case 'RenameStmt': {
      const t = rangeVar(n.relation);
      if (!t || !existing(t.key)) break;
      if (n.renameType === 'OBJECT_TABLE') {
        hits.push({ rule: 'rename-table', offset: s.offset, message: `renaming table ${t.key} to ${String(n.newname)} breaks every reader still deployed that uses the old name; ${justify('rename-table')}` });
      } else if (n.renameType === 'OBJECT_COLUMN') {
        hits.push({ rule: 'rename-column', offset: s.offset, message: `renaming column ${String(n.subname)} of ${t.key} to ${String(n.newname)} breaks readers still deployed; add the new column and migrate readers first, or ${justify('rename-column')}` });
      }
      break;
    }
    case 'IndexStmt': {
      const t = rangeVar(n.relation);
      if (n.concurrent) hits.push({ rule: 'concurrently-in-transaction', offset: s.offset, message: concurrentlyMessage('create index concurrently') });
      else if (t && existing(t.key)) {
        hits.push({
          rule: 'index-non-concurrent',
          offset: s.offset,
          message: `index on existing table ${t.key} is built without CONCURRENTLY and blocks writes while it builds; on a large table build it concurrently outside the migration, or ${justify('index-non-concurrent')}`,
        });
      }
      break;
    }
    case 'CreateStmt':
    case 'CreateTableAsStmt': {
      const t = rangeVar(s.kind === 'CreateStmt' ? n.relation : (n.into as { rel?: unknown } | undefined)?.rel);
      if (t) state.createdInChange.add(t.key);
      break;
    }
  }
  hits.push(...typeHits(s), ...unqualified(s));
  return hits;
}

function concurrentlyMessage(what: string): string {
  return `${what} cannot run inside a transaction, and each migration file runs as one; it fails on the database — use a plain index in the migration, or build it concurrently outside the migrations`;
}

const TYPE_RULES: Array<{ test: (name: string, typmods: boolean) => boolean; rule: RuleId; advice: (name: string) => string }> = [
  { test: (n, m) => n === 'varchar' && m, rule: 'prefer-text', advice: () => 'varchar(n) is text with a length check that is costly to change; use text (with a check constraint if a limit matters)' },
  { test: (n) => n === 'json', rule: 'prefer-jsonb', advice: () => 'json keeps the raw text and cannot be indexed or compared; use jsonb' },
  {
    test: (n) => ['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8'].includes(n),
    rule: 'prefer-identity',
    advice: (n) => `${n} creates a loosely owned sequence; use \`bigint generated always as identity\` (or a uuid default)`,
  },
  { test: (n) => n === 'timestamp', rule: 'prefer-timestamptz', advice: () => 'timestamp without time zone loses the offset; use timestamptz' },
];

function typeHits(s: SqlStatement): Hit[] {
  const hits: Hit[] = [];
  walkSql(s.node, (kind, f) => {
    if (kind !== 'ColumnDef') return;
    const tn = (f.typeName ?? {}) as { names?: unknown; typmods?: unknown[]; location?: number };
    const name = names(tn.names).at(-1) ?? '';
    for (const r of TYPE_RULES) {
      if (r.test(name, (tn.typmods?.length ?? 0) > 0)) {
        hits.push({ rule: r.rule, offset: tn.location ?? s.offset, message: `column ${String(f.colname)}: ${r.advice(name)}` });
      }
    }
  });
  return hits;
}

const RELATION_FIELDS: Record<string, string> = {
  CreateStmt: 'relation',
  AlterTableStmt: 'relation',
  IndexStmt: 'relation',
  RenameStmt: 'relation',
  ViewStmt: 'view',
  CreatePolicyStmt: 'table',
  InsertStmt: 'relation',
  UpdateStmt: 'relation',
  DeleteStmt: 'relation',
};

function unqualified(s: SqlStatement): Hit[] {
  const field = RELATION_FIELDS[s.kind];
  const rv = field ? rangeVar(s.node[field]) : undefined;
  if (!rv || rv.schema !== undefined) return [];
  return [
    {
      rule: 'unqualified-name',
      offset: rv.location ?? s.offset,
      message: `table name ${rv.name} is not schema-qualified, so it lands in whatever schema search_path names first; write ops.${rv.name} (or the schema meant)`,
    },
  ];
}

/** Identifiers longer than Postgres's 63 bytes, which it silently truncates. */
export function longIdentifiers(tokens: readonly SqlToken[]): Hit[] {
  const hits: Hit[] = [];
  for (const t of tokens) {
    if (t.name !== 'IDENT') continue;
    const ident = t.text.startsWith('"') ? t.text.slice(1, -1).replaceAll('""', '"') : t.text.toLowerCase();
    const bytes = Buffer.byteLength(ident);
    if (bytes > 63) {
      hits.push({
        rule: 'identifier-too-long',
        offset: t.start,
        message: `identifier ${ident.slice(0, 20)}... is ${bytes} bytes; Postgres truncates names to 63 bytes, so two long names can collide — shorten it`,
      });
    }
  }
  return hits;
}

export interface Justification {
  rule: string;
  reason: string;
  /** Byte offsets of the comment. */
  start: number;
  end: number;
}

/** `-- lint-allow <rule-id>: <reason>` comments; each covers the next statement. */
const ALLOW = /^--\s*lint-allow\s+([a-z0-9-]+)\s*(?::\s*(.*))?$/;

export function justifications(tokens: readonly SqlToken[]): Justification[] {
  const out: Justification[] = [];
  for (const t of tokens) {
    if (t.name !== 'SQL_COMMENT') continue;
    const m = ALLOW.exec(t.text.trim());
    if (m) out.push({ rule: m[1] as string, reason: (m[2] ?? '').trim(), start: t.start, end: t.end });
  }
  return out;
}

/** Findings of one file: justified hits become notices that show the reason. */
export function toFindings(file: string, hits: Hit[], stmts: readonly SqlStatement[], allows: readonly Justification[]): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  const covered = new Map<Justification, SqlStatement | undefined>();
  for (const j of allows) covered.set(j, stmts.find((s) => s.offset >= j.end));
  const used = new Set<Justification>();
  for (const h of hits) {
    const stmt = [...stmts].reverse().find((s) => s.offset <= h.offset);
    const j = allows.find((a) => a.rule === h.rule && a.reason.length >= 10 && covered.get(a) === stmt);
    if (j) {
      used.add(j);
      out.push({ file, offset: h.offset, severity: 'notice', message: `${h.rule} justified: "${j.reason}"`, key: `${h.rule}:justified` });
    } else {
      out.push({ file, offset: h.offset, severity: RULES[h.rule], message: `${h.rule}: ${h.message}`, key: h.rule });
    }
  }
  for (const j of allows) {
    if (!isRule(j.rule)) {
      out.push({ file, offset: j.start, severity: 'error', message: `lint-allow names unknown rule \`${j.rule}\`; rules: ${Object.keys(RULES).join(', ')}`, key: 'allow-unknown' });
    } else if (j.reason.length < 10) {
      out.push({ file, offset: j.start, severity: 'error', message: `lint-allow ${j.rule} needs a reason of at least 10 characters after the colon: \`-- lint-allow ${j.rule}: <why this is safe>\``, key: 'allow-reason' });
    } else if (!used.has(j)) {
      out.push({ file, offset: j.start, severity: 'warning', message: `lint-allow ${j.rule} justifies nothing: the next statement raises no ${j.rule}; remove the comment`, key: 'allow-unused' });
    }
  }
  return out;
}
