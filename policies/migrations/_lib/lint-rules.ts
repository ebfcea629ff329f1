import type { PolicyFinding, Severity } from '../../../gates/core/finding.ts';
import { names, qualifiedName, walkSql, type SqlStatement, type SqlToken } from '../../../gates/core/sql.ts';

/** The lint rules of new migrations; ids are stable (justifications name them). */
export const RULES = {
  'drop-table': 'error',
  'drop-column': 'error',
  'rename-table': 'error',
  'rename-column': 'error',
  'transaction-control': 'error',
  'concurrently-in-transaction': 'error',
  'index-non-concurrent': 'warning',
  'drop-index-non-concurrent': 'warning',
  'not-null-without-default': 'error',
  'set-not-null': 'warning',
  'column-type-change': 'warning',
  'volatile-default': 'warning',
  'constraint-not-valid': 'warning',
  'unique-without-index': 'warning',
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

const allow = (rule: RuleId): string => `if it is intended, justify it on the line above: \`-- lint-allow ${rule}: <reason>\``;
/** The CLI runs each migration file in one transaction, so CONCURRENTLY is impossible inside one. */
const BY_HAND = (what: string, guard: string): string =>
  `a migration cannot use CONCURRENTLY (the Supabase CLI runs each file in one transaction): on a large or busy table run ${what} CONCURRENTLY by hand before the deploy and keep \`${guard}\` here`;

/** The policy's message templates, by message id (a rule's id is its main message). */
export const LINT_MESSAGES: Record<string, string> = {
  'drop-table': `dropping table {{table}} destroys its data and breaks every reader still deployed; ${allow('drop-table')}`,
  'drop-column': `dropping column {{column}} of {{table}} destroys its data and breaks readers still deployed; ${allow('drop-column')}`,
  'rename-table': `renaming table {{table}} to {{to}} breaks every reader still deployed that uses the old name; ${allow('rename-table')}`,
  'rename-column': `renaming column {{column}} of {{table}} to {{to}} breaks readers still deployed; add the new column and migrate readers first, or ${allow('rename-column')}`,
  'transaction-control':
    '`{{statement}}` inside a migration: the Supabase CLI already runs each file as one transaction, so this ends or splits it — what ran before it stays applied when a later statement fails, and the file is not recorded as applied; remove it (put separate transactions in separate files)',
  'concurrently-in-transaction':
    '{{what}} cannot run inside a transaction, and the Supabase CLI runs each migration file as one; it fails on the database — use a plain statement in the migration, or run it concurrently by hand outside the migrations',
  'index-non-concurrent': `index on existing table {{table}} is built without CONCURRENTLY: its SHARE lock blocks writes to the table while it builds; ${BY_HAND('CREATE INDEX', 'if not exists')}, then justify it on the line above: \`-- lint-allow index-non-concurrent: <reason>\``,
  'drop-index-non-concurrent': `dropping index {{index}} {{table}} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table (no reads or writes while it waits and drops); ${BY_HAND('DROP INDEX', 'if exists')}, then justify it on the line above: \`-- lint-allow drop-index-non-concurrent: <reason>\``,
  'not-null-without-default':
    'adding NOT NULL column {{column}} without a default to existing table {{table}} fails as soon as the table has a row; add a non-volatile default, or add the column nullable, backfill, then set NOT NULL',
  'set-not-null': `SET NOT NULL on column {{column}} of existing table {{table}} scans the whole table under an ACCESS EXCLUSIVE lock (no reads or writes meanwhile); add \`check ({{column}} is not null) not valid\`, validate it in a later migration, then SET NOT NULL (Postgres 12+ then skips the scan), or ${allow('set-not-null')}`,
  'column-type-change': `changing the type of column {{column}} of existing table {{table}} to {{type}} rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (no reads or writes meanwhile); add a new column, backfill it and switch readers, or ${allow('column-type-change')}`,
  'volatile-default': `adding column {{column}} to existing table {{table}} with {{default}} writes a value into every row: the table is rewritten under an ACCESS EXCLUSIVE lock (a constant or stable default would not be); add the column without it, attach the default or identity with a second ALTER (new rows get it), and backfill the old rows in batches, or ${allow('volatile-default')}`,
  'constraint-not-valid': `adding {{kind}} {{constraint}} to existing table {{table}} validates every row while it holds {{lock}}; add it with NOT VALID and VALIDATE CONSTRAINT in a later migration, or ${allow('constraint-not-valid')}`,
  'validate-in-same-file': `constraint {{constraint}} of {{table}} is added NOT VALID and validated in the same migration: the file is one transaction, so the lock of the ADD is held while VALIDATE scans the table — move VALIDATE CONSTRAINT to a later migration, or ${allow('constraint-not-valid')}`,
  'unique-without-index': `adding {{kind}} to existing table {{table}} builds its index under an ACCESS EXCLUSIVE lock (no reads or writes meanwhile); build a unique index first (by hand with CONCURRENTLY on a large table, \`create unique index if not exists\` here) and add the constraint \`using index\`, or ${allow('unique-without-index')}`,
  'prefer-text': 'column {{column}}: varchar(n) is text with a length check that is costly to change; use text (with a check constraint if a limit matters)',
  'prefer-jsonb': 'column {{column}}: json keeps the raw text and cannot be indexed or compared; use jsonb',
  'prefer-identity': 'column {{column}}: {{type}} creates a loosely owned sequence; use `bigint generated always as identity` (or a uuid default)',
  'prefer-timestamptz': 'column {{column}}: timestamp without time zone loses the offset; use timestamptz',
  'identifier-too-long': 'identifier {{start}}... is {{bytes}} bytes; Postgres truncates names to 63 bytes, so two long names can collide — shorten it',
  'unqualified-name':
    '{{name}} is not schema-qualified and no schema on the search_path ({{path}}) has it, so the statement fails; it lives in {{schema}}: write {{qualified}}',
  'unqualified-ambiguous':
    '{{name}} is not schema-qualified and resolves to {{resolved}}.{{name}} through the search_path, while {{others}} also has one; write {{resolved}}.{{name}} so the reader knows which',
  'unqualified-create':
    '{{name}} is not schema-qualified, so it is created in {{target}}, where no table of this history lives; the tables live in {{schema}}: write {{schema}}.{{name}} (or {{target}}.{{name}} if {{target}} is meant)',
  justified: '{{rule}} justified: "{{reason}}"',
  'allow-unknown': 'lint-allow names unknown rule `{{rule}}`; rules: {{rules}}',
  'allow-reason': 'lint-allow {{rule}} needs a reason of at least 10 characters after the colon: `-- lint-allow {{rule}}: <why this is safe>`',
  'allow-unused': 'lint-allow {{rule}} justifies nothing: the next statement raises no {{rule}}; remove the comment',
};

export interface Hit {
  rule: RuleId;
  /** The message, when it is not the rule's own (`LINT_MESSAGES[rule]`). */
  messageId?: string;
  /** UTF-8 byte offsets in the file. */
  offset: number;
  endOffset?: number;
  data: Record<string, unknown>;
}

/** A relation the history has created so far, by `schema.name`. */
interface Relation {
  schema: string;
  name: string;
  /** Created by a new migration of this change (so nobody reads or locks it yet). */
  inChange: boolean;
  /** Came from the platform baseline (auth, storage…), not from this history. */
  baseline: boolean;
  /** Column types: `name` → type name and modifiers, e.g. `varchar(20)`. */
  columns: Map<string, { type: string; mods: number[] }>;
}

/**
 * What the lint knows of the schema while it walks the history in order: every relation, index
 * and function created so far (baseline and base migrations included), and the file's search_path.
 */
export class LintState {
  readonly relations = new Map<string, Relation>();
  /** `schema.index` → the table's key. */
  readonly indexes = new Map<string, { table: string; inChange: boolean }>();
  /** Function name (unqualified) → volatile (the default volatility of CREATE FUNCTION). */
  readonly functions = new Map<string, boolean>();
  /** Constraints known to prove `column is not null`: `table:column`. */
  readonly notNullProofs = new Set<string>();
  /** CHECK (col IS NOT NULL) constraints not yet validated: `table:constraint` → column. */
  readonly pendingNotNull = new Map<string, string>();
  /** Constraints added NOT VALID in the current file: `table:constraint`. */
  notValidInFile = new Set<string>();
  searchPath: readonly string[] = DEFAULT_SEARCH_PATH;
  /** Whether the statements being read are in a new migration of this change. */
  inChange = false;

  /** Called at the start of each file: the CLI runs `RESET ALL` before each migration. */
  startFile(inChange: boolean): void {
    this.searchPath = DEFAULT_SEARCH_PATH;
    this.notValidInFile = new Set();
    this.inChange = inChange;
  }

  /** Where an unqualified relation name resolves on the current search_path. */
  resolve(name: string): string | undefined {
    return this.searchPath.find((s) => this.relations.has(`${s}.${name}`));
  }

  key(schema: string | undefined, name: string): string {
    return `${schema ?? this.resolve(name) ?? this.searchPath[0] ?? 'public'}.${name}`;
  }

  /** True when the relation is not one this change created (it exists and may be large and busy). */
  existing(key: string): boolean {
    const r = this.relations.get(key);
    if (r) return !r.inChange;
    // Unknown here but known in another schema: the statement fails (unqualified-name says so), it locks nothing.
    const name = key.slice(key.indexOf('.') + 1);
    for (const x of this.relations.values()) if (x.name === name) return false;
    return true;
  }

  add(schema: string | undefined, name: string, baseline = false): Relation {
    const s = schema ?? this.searchPath[0] ?? 'public';
    const r: Relation = { schema: s, name, inChange: this.inChange && !baseline, baseline, columns: new Map() };
    this.relations.set(`${s}.${name}`, r);
    return r;
  }
}

/** Postgres's default `"$user", public` (no schema is named after the migration role). */
export const DEFAULT_SEARCH_PATH: readonly string[] = ['public'];

type Node = Record<string, unknown>;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const inner = (n: unknown, kind: string): Node | undefined => ((n ?? {}) as Record<string, Node | undefined>)[kind];

/** Byte offset just past the word (or quoted name) starting at `offset` in the statement. */
function wordEnd(s: SqlStatement, offset: number): number {
  const rest = Buffer.from(s.text, 'utf8').subarray(offset - s.offset).toString('utf8');
  const m = /^(?:"(?:[^"]|"")*"|[\p{L}\p{N}_$]+)(?:\.(?:"(?:[^"]|"")*"|[\p{L}\p{N}_$]+))*/u.exec(rest);
  return offset + Buffer.byteLength(m ? m[0] : rest.slice(0, 1));
}

/** The SQL of a type: `varchar(20)`, `timestamp`. */
function typeOf(tn: Node | undefined): { type: string; mods: number[] } {
  const type = names(tn?.names).filter((n) => n !== 'pg_catalog').join('.');
  const mods = list(tn?.typmods).map((m) => Number(((inner(m, 'A_Const')?.ival ?? {}) as { ival?: number }).ival ?? 0));
  return { type, mods };
}
/** The SQL spelling of the internal names the parser gives standard types. */
const SPELLED: Record<string, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint', bool: 'boolean', float4: 'real', float8: 'double precision', bpchar: 'char' };
const showType = (t: { type: string; mods: number[] }): string => {
  const name = SPELLED[t.type] ?? t.type;
  return t.mods.length ? `${name}(${t.mods.join(',')})` : name;
};

/** Volatile functions of Postgres and of the extensions Supabase projects use in defaults. */
const VOLATILE = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'gen_random_bytes',
  'txid_current',
]);

/** The first volatile call of a default expression, e.g. `default gen_random_uuid()`. */
function volatileCall(expr: unknown, state: LintState): string | undefined {
  let found: string | undefined;
  walkSql(expr, (kind, f) => {
    if (found || kind !== 'FuncCall') return;
    const fn = names(f.funcname).at(-1) ?? '';
    if (VOLATILE.has(fn) || state.functions.get(fn) === true) found = `${fn}()`;
  });
  return found;
}

/** The lint hits of one statement; `state` is updated with what the statement creates or changes. */
export function lintStatement(s: SqlStatement, state: LintState): Hit[] {
  const hits: Hit[] = [];
  const n = s.node;
  const stmtHit = (rule: RuleId, data: Record<string, unknown>, messageId?: string): Hit => ({ rule, messageId, offset: s.offset, endOffset: s.end, data });
  // Name checks come first: they see the relations as they were before the statement.
  hits.push(...unqualified(s, state));
  switch (s.kind) {
    case 'TransactionStmt':
      hits.push(stmtHit('transaction-control', { statement: s.text.replace(/\s+/g, ' ').toLowerCase() }));
      break;
    case 'VariableSetStmt':
      setSearchPath(n, state);
      break;
    case 'SelectStmt':
      // `select pg_catalog.set_config('search_path', '', false)`, as pg_dump and `supabase db dump` write.
      walkSql(n, (kind, f) => {
        if (kind !== 'FuncCall' || names(f.funcname).at(-1) !== 'set_config') return;
        const [what, value] = list(f.args).map((a) => String((inner(a, 'A_Const')?.sval as { sval?: string } | undefined)?.sval ?? ''));
        if (what === 'search_path' && value !== undefined) state.searchPath = parsePath(value);
      });
      break;
    case 'CreateFunctionStmt': {
      const fn = names(n.funcname).at(-1);
      const vol = list(n.options)
        .map((o) => inner(o, 'DefElem'))
        .find((d) => d?.defname === 'volatility');
      const v = (inner(vol?.arg, 'String') as { sval?: string } | undefined)?.sval ?? 'volatile';
      if (fn) state.functions.set(fn, v === 'volatile');
      break;
    }
    case 'DropStmt':
      hits.push(...dropHits(s, state));
      break;
    case 'AlterTableStmt':
      hits.push(...alterTableHits(s, state));
      break;
    case 'RenameStmt': {
      const t = qualifiedName(n.relation);
      if (!t) break;
      const key = state.key(t.schema, t.name);
      const rel = state.relations.get(key);
      if (n.renameType === 'OBJECT_TABLE' && state.existing(key)) hits.push(stmtHit('rename-table', { table: key, to: String(n.newname) }));
      if (n.renameType === 'OBJECT_COLUMN' && state.existing(key)) hits.push(stmtHit('rename-column', { column: String(n.subname), table: key, to: String(n.newname) }));
      if (rel && ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE'].includes(String(n.renameType))) {
        state.relations.delete(key);
        rel.name = String(n.newname);
        state.relations.set(`${rel.schema}.${rel.name}`, rel);
      } else if (rel && n.renameType === 'OBJECT_COLUMN') {
        const col = rel.columns.get(String(n.subname));
        rel.columns.delete(String(n.subname));
        if (col) rel.columns.set(String(n.newname), col);
      }
      break;
    }
    case 'AlterObjectSchemaStmt': {
      const t = qualifiedName(n.relation);
      if (!t) break;
      const key = state.key(t.schema, t.name);
      const rel = state.relations.get(key);
      if (rel && typeof n.newschema === 'string') {
        state.relations.delete(key);
        rel.schema = n.newschema;
        state.relations.set(`${rel.schema}.${rel.name}`, rel);
      }
      break;
    }
    case 'IndexStmt': {
      const t = qualifiedName(n.relation);
      if (!t) break;
      const key = state.key(t.schema, t.name);
      const schema = key.split('.')[0] ?? key;
      if (n.concurrent) hits.push(stmtHit('concurrently-in-transaction', { what: 'create index concurrently' }));
      else if (state.existing(key) && !(n.if_not_exists && state.indexes.has(`${schema}.${String(n.idxname)}`))) {
        hits.push(stmtHit('index-non-concurrent', { table: key }));
      }
      if (typeof n.idxname === 'string') state.indexes.set(`${schema}.${n.idxname}`, { table: key, inChange: state.inChange });
      break;
    }
    case 'CreateStmt': {
      const t = qualifiedName(n.relation);
      if (!t || (n.if_not_exists && state.relations.has(state.key(t.schema, t.name)))) break;
      const rel = state.add(t.schema, t.name);
      for (const e of list(n.tableElts)) {
        const def = inner(e, 'ColumnDef');
        if (def && typeof def.colname === 'string') rel.columns.set(def.colname, typeOf(def.typeName as Node));
      }
      break;
    }
    case 'CreateTableAsStmt': {
      const t = qualifiedName(inner(n.into, 'IntoClause')?.rel ?? (n.into as Node | undefined)?.rel);
      if (t) state.add(t.schema, t.name);
      break;
    }
    case 'ViewStmt': {
      const t = qualifiedName(n.view);
      if (t) state.add(t.schema, t.name);
      break;
    }
    case 'CreateSeqStmt': {
      const t = qualifiedName(n.sequence);
      if (t) state.add(t.schema, t.name);
      break;
    }
  }
  hits.push(...typeHits(s));
  return hits;
}

function parsePath(value: string): string[] {
  return value
    .split(',')
    .map((p) => p.trim().replace(/^"(.*)"$/, '$1'))
    .filter((p) => p !== '' && p !== '$user');
}

function setSearchPath(n: Node, state: LintState): void {
  if (n.kind === 'VAR_RESET_ALL') {
    state.searchPath = DEFAULT_SEARCH_PATH;
    return;
  }
  if (n.name !== 'search_path') return;
  if (n.kind === 'VAR_SET_VALUE') {
    const parts = list(n.args).map((a) => {
      const c = inner(a, 'A_Const') ?? {};
      return String((c.sval as { sval?: string } | undefined)?.sval ?? '');
    });
    state.searchPath = parsePath(parts.join(','));
  } else if (n.kind === 'VAR_SET_DEFAULT' || n.kind === 'VAR_RESET') state.searchPath = DEFAULT_SEARCH_PATH;
}

const RELATION_DROPS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE']);

function dropHits(s: SqlStatement, state: LintState): Hit[] {
  const n = s.node;
  const hits: Hit[] = [];
  const stmtHit = (rule: RuleId, data: Record<string, unknown>): Hit => ({ rule, offset: s.offset, endOffset: s.end, data });
  if (n.concurrent) hits.push(stmtHit('concurrently-in-transaction', { what: 'drop index concurrently' }));
  for (const obj of list(n.objects)) {
    const parts = names(inner(obj, 'List')?.items);
    const name = parts.at(-1);
    if (!name) continue;
    const schema = parts.length > 1 ? parts.at(-2) : undefined;
    if (RELATION_DROPS.has(String(n.removeType))) {
      const key = state.key(schema, name);
      if (n.removeType === 'OBJECT_TABLE' && state.existing(key) && !(n.missing_ok && !state.relations.has(key))) hits.push(stmtHit('drop-table', { table: key }));
      state.relations.delete(key);
    } else if (n.removeType === 'OBJECT_INDEX') {
      const key = schema ? `${schema}.${name}` : (state.searchPath.map((p) => `${p}.${name}`).find((k) => state.indexes.has(k)) ?? `${state.searchPath[0] ?? 'public'}.${name}`);
      const idx = state.indexes.get(key);
      if (!n.concurrent && !idx?.inChange && !(idx && !state.existing(idx.table)) && !(n.missing_ok && !idx)) {
        hits.push(stmtHit('drop-index-non-concurrent', { index: key, table: idx ? `on existing table ${idx.table}` : 'on a table this change did not create' }));
      }
      state.indexes.delete(key);
    }
  }
  return hits;
}

function alterTableHits(s: SqlStatement, state: LintState): Hit[] {
  const n = s.node;
  const hits: Hit[] = [];
  const t = qualifiedName(n.relation);
  if (!t || (n.objtype !== undefined && n.objtype !== 'OBJECT_TABLE')) return hits;
  const key = state.key(t.schema, t.name);
  const rel = state.relations.get(key);
  const existing = state.existing(key);
  const at = (loc: unknown): number => (typeof loc === 'number' && loc >= 0 ? loc : s.offset);
  for (const c of list(n.cmds)) {
    const cmd = inner(c, 'AlterTableCmd') ?? {};
    const col = typeof cmd.name === 'string' ? cmd.name : '';
    const def = inner(cmd.def, 'ColumnDef');
    const con = inner(cmd.def, 'Constraint');
    switch (cmd.subtype) {
      case 'AT_DropColumn':
        if (existing) hits.push({ rule: 'drop-column', offset: s.offset, endOffset: s.end, data: { column: col, table: key } });
        rel?.columns.delete(col);
        break;
      case 'AT_AddColumn': {
        if (!def) break;
        const colname = String(def.colname);
        const cons = list(def.constraints).map((k) => inner(k, 'Constraint') ?? {});
        const types = cons.map((k) => String(k.contype));
        const type = typeOf(def.typeName as Node);
        const start = at(def.location);
        const end = wordEnd(s, start);
        rel?.columns.set(colname, type);
        if (!existing) break;
        if (types.includes('CONSTR_NOTNULL') && !types.some((k) => k === 'CONSTR_DEFAULT' || k === 'CONSTR_IDENTITY' || k === 'CONSTR_GENERATED')) {
          hits.push({ rule: 'not-null-without-default', offset: start, endOffset: end, data: { column: colname, table: key } });
        }
        const dflt = cons.find((k) => k.contype === 'CONSTR_DEFAULT');
        const serial = ['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8'].includes(type.type);
        const why = serial
          ? `type ${type.type} (a nextval() default)`
          : types.includes('CONSTR_IDENTITY')
            ? 'an identity (each row gets a new value)'
            : types.includes('CONSTR_GENERATED')
              ? 'a stored generated value'
              : dflt
                ? (() => {
                    const v = volatileCall(dflt.raw_expr, state);
                    return v ? `the volatile default ${v}` : undefined;
                  })()
                : undefined;
        if (why) hits.push({ rule: 'volatile-default', offset: start, endOffset: end, data: { column: colname, table: key, default: why } });
        for (const k of cons) {
          if (k.contype === 'CONSTR_PRIMARY' || k.contype === 'CONSTR_UNIQUE') {
            hits.push({ rule: 'unique-without-index', offset: at(k.location), endOffset: s.end, data: { kind: k.contype === 'CONSTR_PRIMARY' ? 'a primary key' : 'a unique constraint', table: key } });
          }
          if (k.contype === 'CONSTR_FOREIGN') {
            const ref = qualifiedName(k.pktable);
            hits.push({
              rule: 'constraint-not-valid',
              offset: at(k.location),
              endOffset: s.end,
              data: { kind: 'a foreign key', constraint: `on ${colname}`, table: key, lock: `SHARE ROW EXCLUSIVE locks on ${key} and ${ref ? state.key(ref.schema, ref.name) : 'the referenced table'} (no writes to either)` },
            });
          }
        }
        break;
      }
      case 'AT_AlterColumnType': {
        const type = typeOf(def?.typeName as Node | undefined);
        const before = rel?.columns.get(col);
        if (existing && !(def?.raw_default === undefined && before && binaryCoercible(before, type))) {
          hits.push({ rule: 'column-type-change', offset: s.offset, endOffset: s.end, data: { column: col, table: key, type: showType(type) } });
        }
        rel?.columns.set(col, type);
        break;
      }
      case 'AT_SetNotNull':
        if (existing && !state.notNullProofs.has(`${key}:${col}`)) hits.push({ rule: 'set-not-null', offset: s.offset, endOffset: s.end, data: { column: col, table: key } });
        break;
      case 'AT_AddConstraint': {
        if (!con) break;
        const name = typeof con.conname === 'string' ? con.conname : undefined;
        const notValid = con.skip_validation === true;
        const proves = con.contype === 'CONSTR_CHECK' ? notNullColumn(con.raw_expr) : undefined;
        if (name && proves) {
          if (notValid) state.pendingNotNull.set(`${key}:${name}`, proves);
          else state.notNullProofs.add(`${key}:${proves}`);
        }
        if (name && notValid) state.notValidInFile.add(`${key}:${name}`);
        if (!existing) break;
        if ((con.contype === 'CONSTR_FOREIGN' || con.contype === 'CONSTR_CHECK') && !notValid) {
          const ref = qualifiedName(con.pktable);
          const lock =
            con.contype === 'CONSTR_FOREIGN'
              ? `SHARE ROW EXCLUSIVE locks on ${key} and ${ref ? state.key(ref.schema, ref.name) : 'the referenced table'} (no writes to either)`
              : `an ACCESS EXCLUSIVE lock on ${key} (no reads or writes)`;
          hits.push({
            rule: 'constraint-not-valid',
            offset: at(con.location),
            endOffset: s.end,
            data: { kind: con.contype === 'CONSTR_FOREIGN' ? 'a foreign key' : 'a check constraint', constraint: name ?? '(unnamed)', table: key, lock },
          });
        }
        if ((con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE') && typeof con.indexname !== 'string') {
          hits.push({ rule: 'unique-without-index', offset: at(con.location), endOffset: s.end, data: { kind: con.contype === 'CONSTR_PRIMARY' ? 'a primary key' : 'a unique constraint', table: key } });
        }
        break;
      }
      case 'AT_ValidateConstraint': {
        const pending = state.pendingNotNull.get(`${key}:${col}`);
        if (pending) state.notNullProofs.add(`${key}:${pending}`);
        if (existing && state.notValidInFile.has(`${key}:${col}`)) {
          hits.push({ rule: 'constraint-not-valid', messageId: 'validate-in-same-file', offset: s.offset, endOffset: s.end, data: { constraint: col, table: key } });
        }
        break;
      }
    }
  }
  return hits;
}

/** The column a `CHECK (col IS NOT NULL)` proves non-null. */
function notNullColumn(expr: unknown): string | undefined {
  const t = inner(expr, 'NullTest');
  if (!t || t.nulltesttype !== 'IS_NOT_NULL') return undefined;
  return names(inner(t.arg, 'ColumnRef')?.fields).at(-1);
}

/** Type changes Postgres makes without a rewrite: varchar/text widening. */
function binaryCoercible(from: { type: string; mods: number[] }, to: { type: string; mods: number[] }): boolean {
  const textual = (t: string): boolean => t === 'varchar' || t === 'text';
  if (!textual(from.type) || !textual(to.type)) return false;
  if (to.type === 'text' || to.mods.length === 0) return true;
  return from.type === 'varchar' && from.mods.length > 0 && (to.mods[0] ?? 0) >= (from.mods[0] ?? 0);
}

const TYPE_RULES: Array<{ test: (name: string, typmods: boolean) => boolean; rule: RuleId }> = [
  { test: (n, m) => n === 'varchar' && m, rule: 'prefer-text' },
  { test: (n) => n === 'json', rule: 'prefer-jsonb' },
  { test: (n) => ['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8'].includes(n), rule: 'prefer-identity' },
  { test: (n) => n === 'timestamp', rule: 'prefer-timestamptz' },
];

/** The statements that can hold column definitions. */
const WITH_COLUMNS = new Set(['CreateStmt', 'AlterTableStmt', 'CreateForeignTableStmt', 'CompositeTypeStmt']);

function typeHits(s: SqlStatement): Hit[] {
  const hits: Hit[] = [];
  if (!WITH_COLUMNS.has(s.kind)) return hits;
  // `alter column x type …` holds a ColumnDef without a name: the command names the column.
  const altered = new Map<unknown, string>();
  for (const c of s.kind === 'AlterTableStmt' ? list(s.node.cmds) : []) {
    const cmd = inner(c, 'AlterTableCmd');
    const def = inner(cmd?.def, 'ColumnDef');
    if (def && typeof cmd?.name === 'string') altered.set(def, cmd.name);
  }
  walkSql(s.node, (kind, f) => {
    if (kind !== 'ColumnDef') return;
    const column = typeof f.colname === 'string' ? f.colname : (altered.get(f) ?? '?');
    const tn = (f.typeName ?? {}) as { names?: unknown; typmods?: unknown[]; location?: number };
    const name = names(tn.names).at(-1) ?? '';
    for (const r of TYPE_RULES) {
      if (r.test(name, (tn.typmods?.length ?? 0) > 0)) {
        const offset = tn.location ?? s.offset;
        hits.push({ rule: r.rule, offset, endOffset: wordEnd(s, offset), data: r.rule === 'prefer-identity' ? { column, type: name } : { column } });
      }
    }
  });
  return hits;
}

/** The RangeVar a statement creates (the others it holds are references). */
function createdRangeVar(s: SqlStatement): unknown {
  const n = s.node;
  if (s.kind === 'CreateStmt') return n.relation;
  if (s.kind === 'ViewStmt') return n.view;
  if (s.kind === 'CreateSeqStmt') return n.sequence;
  if (s.kind === 'CreateTableAsStmt') return inner(n.into, 'IntoClause')?.rel ?? (n.into as Node | undefined)?.rel;
  return undefined;
}

/** Every RangeVar of a parse tree, wrapped (`{RangeVar: …}`) or held directly by a typed field. */
function rangeVars(node: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) {
    for (const x of node) rangeVars(x, out);
  } else if (node && typeof node === 'object') {
    if (typeof (node as { relname?: unknown }).relname === 'string') out.push(node);
    else for (const v of Object.values(node)) rangeVars(v, out);
  }
  return out;
}

/** Comments on a relation (or on a column of one). */
const COMMENT_ON = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE', 'OBJECT_COLUMN']);

/** Drops whose name list ends with the object and starts with its table. */
const ON_TABLE_DROPS = new Set(['OBJECT_POLICY', 'OBJECT_TRIGGER', 'OBJECT_RULE']);

/**
 * Unqualified relation names: reported only where the name does not say what it means — it lives
 * in a schema off the search_path (the statement fails), it exists in two schemas of the path, or
 * a table is created in `public` while every table of the history lives elsewhere.
 */
function unqualified(s: SqlStatement, state: LintState): Hit[] {
  if (s.kind === 'CreateSchemaStmt') return [];
  const hits: Hit[] = [];
  const ctes = new Set<string>();
  if (/\bwith\b/i.test(s.text)) {
    walkSql(s.node, (kind, f) => {
      if (kind === 'CommonTableExpr' && typeof f.ctename === 'string') ctes.add(f.ctename);
    });
  }
  const created = qualifiedName(createdRangeVar(s));
  const createdRaw = createdRangeVar(s);
  const refs: Array<{ name: string; offset: number }> = [];
  for (const raw of rangeVars(s.node)) {
    const rv = qualifiedName(raw);
    if (!rv || raw === createdRaw || rv.schema !== undefined || ctes.has(rv.name)) continue;
    refs.push({ name: rv.name, offset: rv.location ?? s.offset });
  }
  if (s.kind === 'DropStmt' && (RELATION_DROPS.has(String(s.node.removeType)) || ON_TABLE_DROPS.has(String(s.node.removeType)))) {
    for (const obj of list(s.node.objects)) {
      const parts = names(inner(obj, 'List')?.items);
      const rel = ON_TABLE_DROPS.has(String(s.node.removeType)) ? parts.slice(0, -1) : parts;
      if (rel.length === 1) refs.push({ name: rel[0] as string, offset: s.offset });
    }
  }
  if (s.kind === 'CommentStmt' && COMMENT_ON.has(String(s.node.objtype))) {
    const parts = names(inner(s.node.object, 'List')?.items);
    const rel = s.node.objtype === 'OBJECT_COLUMN' ? parts.slice(0, -1) : parts;
    if (rel.length === 1) refs.push({ name: rel[0] as string, offset: s.offset });
  }
  for (const r of refs) {
    const where = [...state.relations.values()].filter((x) => x.name === r.name).map((x) => x.schema);
    if (where.length === 0) continue;
    const resolved = state.resolve(r.name);
    const end = r.offset === s.offset ? s.end : r.offset + Buffer.byteLength(r.name);
    if (!resolved) {
      hits.push({ rule: 'unqualified-name', offset: r.offset, endOffset: end, data: { name: r.name, path: state.searchPath.join(', ') || 'empty', schema: where.join(' or '), qualified: where.map((w) => `${w}.${r.name}`).join(' or ') } });
    } else if (where.length > 1) {
      hits.push({ rule: 'unqualified-name', messageId: 'unqualified-ambiguous', offset: r.offset, endOffset: end, data: { name: r.name, resolved, others: where.filter((w) => w !== resolved).join(', ') } });
    }
  }
  if (created && created.schema === undefined) {
    const target = state.searchPath[0];
    const own = [...state.relations.values()].filter((x) => !x.baseline);
    // One or two tables elsewhere are no convention yet; three or more, all outside the target, are.
    if (target !== undefined && own.length >= 3 && !own.some((x) => x.schema === target)) {
      const counts = new Map<string, number>();
      for (const x of own) counts.set(x.schema, (counts.get(x.schema) ?? 0) + 1);
      const schema = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
      const offset = created.location ?? s.offset;
      hits.push({ rule: 'unqualified-name', messageId: 'unqualified-create', offset, endOffset: offset + Buffer.byteLength(created.name), data: { name: created.name, target, schema } });
    }
  }
  return hits;
}

/** Relations of the platform baseline (auth.users, storage.objects…), known before any migration. */
export function addBaseline(state: LintState, stmts: readonly SqlStatement[]): void {
  const saved = state.inChange;
  state.inChange = false;
  for (const s of stmts) {
    const t = qualifiedName(createdRangeVar(s));
    if (t) state.add(t.schema, t.name, true);
  }
  state.inChange = saved;
}

/** Identifiers longer than Postgres's 63 bytes, which it silently truncates. */
export function longIdentifiers(tokens: readonly SqlToken[]): Hit[] {
  const hits: Hit[] = [];
  for (const t of tokens) {
    if (t.name !== 'IDENT') continue;
    const ident = t.text.startsWith('"') ? t.text.slice(1, -1).replaceAll('""', '"') : t.text.toLowerCase();
    const bytes = Buffer.byteLength(ident);
    if (bytes > 63) hits.push({ rule: 'identifier-too-long', offset: t.start, endOffset: t.end, data: { start: ident.slice(0, 20), bytes } });
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
  for (const h of [...hits].sort((a, b) => a.offset - b.offset)) {
    const stmt = [...stmts].reverse().find((s) => s.offset <= h.offset);
    const j = allows.find((a) => a.rule === h.rule && a.reason.length >= 10 && covered.get(a) === stmt);
    const at = { file, offset: h.offset, endOffset: h.endOffset };
    if (j) {
      used.add(j);
      out.push({ ...at, severity: 'notice', messageId: 'justified', data: { rule: h.rule, reason: j.reason }, key: `${h.rule}:justified` });
    } else {
      out.push({ ...at, severity: RULES[h.rule], messageId: h.messageId ?? h.rule, data: h.data, key: h.rule });
    }
  }
  for (const j of allows) {
    const at = { file, offset: j.start, endOffset: j.end };
    if (!isRule(j.rule)) {
      out.push({ ...at, severity: 'error', messageId: 'allow-unknown', data: { rule: j.rule, rules: Object.keys(RULES).join(', ') }, key: 'allow-unknown' });
    } else if (j.reason.length < 10) {
      out.push({ ...at, severity: 'error', messageId: 'allow-reason', data: { rule: j.rule }, key: 'allow-reason' });
    } else if (!used.has(j)) {
      out.push({ ...at, severity: 'warning', messageId: 'allow-unused', data: { rule: j.rule }, key: 'allow-unused' });
    }
  }
  return out;
}
