import { names, walkSql, type SqlStatement } from '../core/sql.ts';
import { EXTENSION_STUBS, STUB_NOTICE } from './extensions.ts';

/**
 * What the replay sends for each migration statement. The replay runs every file in its own
 * transaction, on an engine that may differ from the platform; this module makes what it sends
 * mean what the platform would do:
 * - transaction control written in the file (`begin;`, `commit;`) is left out, so the file stays
 *   one transaction and a later error is reported where it happens;
 * - `create extension` of an extension the engine lacks becomes its declared stub (a notice);
 * - a role named by a statement must be a platform role or one the migrations created: roles on
 *   the replay server that the platform lacks do not let a grant pass (both engines fail alike);
 * - a built-in function newer than the target Postgres major fails as it would on the platform.
 */

/** Roles every Supabase project has (the baseline creates them where missing). */
export const PLATFORM_ROLES: readonly string[] = [
  'postgres',
  'anon',
  'authenticated',
  'service_role',
  'authenticator',
  'supabase_admin',
  'supabase_auth_admin',
  'supabase_storage_admin',
  'supabase_functions_admin',
  'supabase_realtime_admin',
  'supabase_replication_admin',
  'supabase_read_only_user',
  'dashboard_user',
  'pgbouncer',
];

/** Built-in functions by the Postgres major that brought them (only those migrations plausibly call). */
export const NEW_BUILTINS: Readonly<Record<string, number>> = {
  uuid_extract_timestamp: 17,
  uuid_extract_version: 17,
  to_bin: 17,
  to_oct: 17,
  uuidv7: 18,
  uuidv4: 18,
  casefold: 18,
  array_sort: 18,
  array_reverse: 18,
  crc32: 18,
  crc32c: 18,
};

export interface PreparedStatement {
  stmt: SqlStatement;
  /** What is sent; undefined when the statement is left out. */
  sql: string | undefined;
  /** Why the statement was left out or changed, when it was. */
  note?: string;
  /** The statement fails before it is sent, as it would on the platform. */
  error?: { message: string; code: string; offset: number };
}

/** State that carries from file to file. */
export interface PrepareState {
  /** Extensions the engine can create for real. */
  available: ReadonlySet<string>;
  /** Extensions replayed as stubs so far. */
  stubbed: Set<string>;
  /** `schema.name` of the stubs' objects. */
  stubObjects: Set<string>;
  /** Roles known so far: the platform's plus those the migrations created. */
  roles: Set<string>;
  /** Functions the migrations created (a user function may share a new built-in's name). */
  functions: Set<string>;
  /** Postgres major of the target platform and of the engine. */
  targetMajor: number;
  engineMajor: number;
}

export function newPrepareState(available: ReadonlySet<string>, targetMajor: number, engineMajor: number): PrepareState {
  return { available, stubbed: new Set(), stubObjects: new Set(), roles: new Set(PLATFORM_ROLES), functions: new Set(), targetMajor, engineMajor };
}

const TXN_CONTROL = new Set([
  'TRANS_STMT_BEGIN',
  'TRANS_STMT_START',
  'TRANS_STMT_COMMIT',
  'TRANS_STMT_ROLLBACK',
  'TRANS_STMT_PREPARE',
  'TRANS_STMT_COMMIT_PREPARED',
  'TRANS_STMT_ROLLBACK_PREPARED',
]);

/** Whether a statement is `begin`, `commit`, `rollback` or the like (not a savepoint). */
export function isTransactionControl(s: SqlStatement): boolean {
  return s.kind === 'TransactionStmt' && TXN_CONTROL.has(String(s.node.kind));
}

/** Roles created by `create role` in a DO block (common: `if not exists (...) then create role ...`). */
const DO_CREATE_ROLE = /\bcreate\s+(?:role|user|group)\s+("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)/gi;

function defString(options: unknown, name: string): string | undefined {
  if (!Array.isArray(options)) return undefined;
  for (const o of options) {
    const d = (o as { DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }).DefElem;
    if (d?.defname === name) return d.arg?.String?.sval;
  }
  return undefined;
}

export function prepareStatements(stmts: readonly SqlStatement[], st: PrepareState): PreparedStatement[] {
  return stmts.map((s) => prepareOne(s, st));
}

function prepareOne(s: SqlStatement, st: PrepareState): PreparedStatement {
  if (isTransactionControl(s)) return { stmt: s, sql: undefined, note: 'transaction control inside a migration is left out: the file runs as one transaction' };
  // Roles and functions this statement needs, checked before it runs.
  const error = checkNames(s, st);
  if (error) return { stmt: s, sql: s.text, error };
  if (s.kind === 'CreateRoleStmt' && typeof s.node.role === 'string') st.roles.add(s.node.role);
  if (s.kind === 'DropRoleStmt') for (const r of roleSpecs(s.node.roles)) st.roles.delete(r.name);
  if (s.kind === 'DoStmt') for (const m of s.text.matchAll(DO_CREATE_ROLE)) st.roles.add(unquote(m[1] as string));
  if (s.kind === 'CreateFunctionStmt') {
    const n = names(s.node.funcname).at(-1);
    if (n) st.functions.add(n);
  }
  if (s.kind === 'CreateExtensionStmt') {
    const ext = typeof s.node.extname === 'string' ? s.node.extname : '';
    const stub = EXTENSION_STUBS[ext];
    if (st.available.has(ext) || !stub) return { stmt: s, sql: s.text };
    const schema = stub.fixedSchema ?? defString(s.node.options, 'schema') ?? 'public';
    st.stubbed.add(ext);
    for (const o of stub.objects(schema)) st.stubObjects.add(o);
    return { stmt: s, sql: stub.sql(schema), note: `extension ${ext} ${STUB_NOTICE}` };
  }
  const stubbedOnly = (list: string[]): boolean => list.length > 0 && list.every((e) => st.stubbed.has(e));
  if (s.kind === 'DropStmt' && s.node.removeType === 'OBJECT_EXTENSION') {
    const exts = (Array.isArray(s.node.objects) ? s.node.objects : []).map((o) => (o as { String?: { sval?: string } }).String?.sval ?? '');
    if (stubbedOnly(exts)) return { stmt: s, sql: undefined, note: `extension ${exts.join(', ')} ${STUB_NOTICE}` };
  }
  if ((s.kind === 'AlterExtensionStmt' || s.kind === 'AlterExtensionContentsStmt') && stubbedOnly([typeof s.node.extname === 'string' ? s.node.extname : ''])) {
    return { stmt: s, sql: undefined, note: `extension ${String(s.node.extname)} ${STUB_NOTICE}` };
  }
  if ((s.kind === 'CommentStmt' || s.kind === 'AlterObjectSchemaStmt') && s.node.objectType === 'OBJECT_EXTENSION') {
    const ext = (s.node.object as { String?: { sval?: string } } | undefined)?.String?.sval ?? '';
    if (stubbedOnly([ext])) return { stmt: s, sql: undefined, note: `extension ${ext} ${STUB_NOTICE}` };
  }
  if (s.kind === 'IndexStmt' && st.stubbed.has('vector') && /^(hnsw|ivfflat)$/.test(typeof s.node.accessMethod === 'string' ? s.node.accessMethod : '')) {
    // The stub's index methods take no pgvector storage parameters (m, ef_construction, lists).
    return { stmt: s, sql: s.text.replace(/\)\s*with\s*\([^)]*\)/i, ')'), note: `extension vector ${STUB_NOTICE}` };
  }
  return { stmt: s, sql: s.text };
}

function unquote(n: string): string {
  return n.startsWith('"') ? n.slice(1, -1).replaceAll('""', '"') : n.toLowerCase();
}

function roleSpecs(list: unknown): Array<{ name: string; location: number | undefined }> {
  const out: Array<{ name: string; location: number | undefined }> = [];
  walkSql(list, (kind, f) => {
    if (kind === 'RoleSpec' && f.roletype === 'ROLESPEC_CSTRING' && typeof f.rolename === 'string') {
      out.push({ name: f.rolename, location: typeof f.location === 'number' ? f.location : undefined });
    }
  });
  return out;
}

function checkNames(s: SqlStatement, st: PrepareState): PreparedStatement['error'] {
  // `create role x` itself names x as a string, not a RoleSpec; `grant x to y` names x in an AccessPriv.
  const needed = roleSpecs(s.node);
  if (s.kind === 'GrantRoleStmt') {
    walkSql(s.node.granted_roles, (kind, f) => {
      if (kind === 'AccessPriv' && typeof f.priv_name === 'string') needed.push({ name: f.priv_name, location: undefined });
    });
  }
  for (const r of needed) {
    if (st.roles.has(r.name) || r.name.startsWith('pg_')) continue;
    return {
      message: `role "${r.name}" does not exist on the platform (neither a Supabase role nor one an earlier migration creates); create it in a migration first, or grant to a platform role`,
      code: '42704',
      offset: r.location ?? s.offset,
    };
  }
  if (st.targetMajor < st.engineMajor) {
    let hit: PreparedStatement['error'];
    walkSql(s.node, (kind, f) => {
      if (hit || kind !== 'FuncCall') return;
      const fn = names(f.funcname);
      const name = fn.at(-1) ?? '';
      const since = NEW_BUILTINS[name];
      if (!since || since <= st.targetMajor || (fn.length > 1 && fn[0] !== 'pg_catalog') || st.functions.has(name)) return;
      hit = {
        message: `function ${name}() does not exist on Postgres ${st.targetMajor}, the target platform: it came with Postgres ${since}, which the replay engine runs`,
        code: '42883',
        offset: typeof f.location === 'number' ? f.location : s.offset,
      };
    });
    if (hit) return hit;
  }
  return undefined;
}
