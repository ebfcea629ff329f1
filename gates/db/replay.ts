import type { RepoContext } from '../core/repo.ts';
import { charToByte, names, type SqlStatement } from '../core/sql.ts';
import { openDatabase, toDbError, type Db } from './engine.ts';
import { migrationFiles, parsedMigrations } from './migrations.ts';

/** Default bound on one statement; a statement that runs longer is stopped and reported. */
export const STATEMENT_TIMEOUT_MS = 60_000;
const SYSTEM_SCHEMAS = `('pg_catalog', 'information_schema', 'pg_toast')`;

export interface ReplayInput {
  file: string;
  statements: SqlStatement[];
}

/** Where a catalog object was created: the migration file and the byte offset of the statement. */
export interface Origin {
  file: string;
  offset: number;
}

export interface ReplayFailure extends Origin {
  message: string;
  code: string | undefined;
  timedOut: boolean;
  /** The database could not be opened: no migration ran. */
  setup?: boolean;
}

export interface CatalogLint extends Origin {
  rule: 'rls-disabled' | 'rls-no-policy' | 'no-primary-key' | 'fk-no-index' | 'duplicate-index' | 'function-search-path' | 'view-security-invoker';
  /** `schema.name` of the object. */
  object: string;
  message: string;
}

export interface ColumnInfo {
  type: string;
  nullable: boolean;
}

export interface ReplayResult {
  engine: Db['engine'];
  /** Files applied (committed), in order. */
  applied: string[];
  failure: ReplayFailure | undefined;
  lints: CatalogLint[];
  /** Tables plus sequences (relkind r, p, S) outside the system schemas after each file, counting those alive at the end. */
  objectCounts: Array<{ file: string; count: number }>;
  /** Columns of every table and view, by `schema.table`. */
  columns: Map<string, Map<string, ColumnInfo>>;
  /** Where each table or view was created, by `schema.name`. */
  origins: Map<string, Origin>;
  /** Rows of the seeded tables, by `schema.table` (only those that exist). */
  rows: Map<string, Array<Record<string, unknown>>>;
}

export interface ReplayOptions {
  databaseUrl?: string | undefined;
  statementTimeoutMs?: number;
  /** Tables whose rows the result carries (e.g. seeded catalogs). */
  readRows?: readonly string[];
}

/** The tables whose seeds the SSOT governs. */
export const SEEDED_TABLES = ['ops.integrations_catalog', 'ops.capabilities'] as const;

/**
 * Replays the repository's migrations once per run and shares the result (undefined when there is
 * no migration, or when a migration does not parse — migrations/syntax reports that).
 */
export function replay(ctx: RepoContext): Promise<ReplayResult | undefined> {
  return ctx.memo('db/replay', async () => {
    const files = migrationFiles(ctx);
    if (files.length === 0) return undefined;
    const parsed = await parsedMigrations(ctx);
    const inputs: ReplayInput[] = [];
    for (const m of files) {
      const p = parsed.get(m.file);
      if (!p?.ok) return undefined;
      inputs.push({ file: m.file, statements: p.statements });
    }
    return replayMigrations(inputs, { databaseUrl: ctx.options.databaseUrl, readRows: SEEDED_TABLES });
  });
}

/** Applies each file as one transaction, statement by statement, on a fresh database, then reads the catalog. */
export async function replayMigrations(inputs: readonly ReplayInput[], opts: ReplayOptions = {}): Promise<ReplayResult> {
  const timeout = opts.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
  let db: Db;
  try {
    db = await openDatabase(opts.databaseUrl, timeout);
  } catch (e) {
    const err = toDbError(e);
    const where = opts.databaseUrl ? 'the Postgres of DATABASE_URL' : 'the embedded PGlite';
    return {
      ...emptyResult(opts.databaseUrl ? 'postgres' : 'pglite'),
      failure: { file: inputs[0]?.file ?? '', offset: 0, message: `could not open a replay database on ${where}: ${err.message}`, code: err.code, timedOut: false, setup: true },
    };
  }
  try {
    const result = emptyResult(db.engine);
    const start = await maxOid(db);
    const [base] = await db.query<{ n: string }>(COUNT_OBJECTS);
    // Object ids only grow on a fresh database: what file k creates has an id above the largest
    // id after file k-1 and at most the largest after file k. Reading that bound is an index
    // lookup, so the catalog itself is read once, after the last file.
    const bounds: Array<{ input: ReplayInput; upto: number }> = [];
    let last = start;
    for (const input of inputs) {
      const applied = await applyFile(db, input, timeout, MAX_OID);
      if (!Array.isArray(applied)) {
        result.failure = applied;
        break;
      }
      result.applied.push(input.file);
      last = Math.max(last, Number(applied[0]?.n ?? 0));
      bounds.push({ input, upto: last });
    }
    const byOid = new Map<string, Origin>();
    if (!result.failure) {
      const perFile = new Map<string, number>();
      for (const o of await db.query<NewObject>(NEW_OBJECTS.replaceAll('$1', String(start)))) {
        const owner = bounds[lowerBound(bounds, Number(o.oid))];
        if (!owner) continue;
        const origin = { file: owner.input.file, offset: creationOffset(owner.input.statements, o) };
        byOid.set(`${o.cat}:${o.oid}`, origin);
        if (o.cat === 'rel' && 'rpvmf'.includes(o.kind)) result.origins.set(`${o.schema}.${o.name}`, origin);
        if (o.cat === 'rel' && 'rpS'.includes(o.kind)) perFile.set(origin.file, (perFile.get(origin.file) ?? 0) + 1);
      }
      // Tables and sequences alive at the end, counted at the file that created them.
      let count = Number(base?.n ?? 0);
      for (const b of bounds) {
        count += perFile.get(b.input.file) ?? 0;
        result.objectCounts.push({ file: b.input.file, count });
      }
    }
    if (!result.failure) {
      result.lints = await catalogLints(db, byOid);
      result.columns = await readColumns(db);
      for (const table of opts.readRows ?? []) {
        const [exists] = await db.query<{ t: string | null }>('select to_regclass($1)::text as t', [table]);
        if (exists?.t) result.rows.set(table, await db.query<Record<string, unknown>>(`select * from ${table}`));
      }
    }
    return result;
  } finally {
    await db.close();
  }
}

/** Applies a file as one transaction and returns what `after` (a catalog query) reads, or the failure. */
function emptyResult(engine: Db['engine']): ReplayResult {
  return { engine, applied: [], failure: undefined, lints: [], objectCounts: [], columns: new Map(), origins: new Map(), rows: new Map() };
}

async function applyFile(db: Db, input: ReplayInput, timeoutMs: number, after: string): Promise<Array<{ n: string }> | ReplayFailure> {
  // Fast path: the whole file and the catalog query in one round trip. Only when it fails is it
  // replayed statement by statement, to find the failing statement and Postgres's position in it.
  // PGlite goes statement by statement: a hang there kills the database, so the batch could not be retried.
  if (db.engine === 'postgres') {
    const batch = ['begin', ...input.statements.map((s) => s.text), 'commit', after].join(';\n');
    try {
      return await db.batch<{ n: string }>(batch);
    } catch {
      await db.exec('rollback').catch(() => undefined);
    }
  }
  await db.exec('begin');
  for (const s of input.statements) {
    try {
      await db.exec(s.text);
    } catch (e) {
      await db.exec('rollback').catch(() => undefined);
      const err = toDbError(e);
      const offset = s.offset + (err.position ? charToByte(s.text, err.position - 1) : 0);
      const timedOut = err.code === '57014';
      const message = timedOut ? `statement ran longer than the ${timeoutMs / 1000} s replay timeout and was cancelled (${err.message})` : err.message;
      return { file: input.file, offset, message, code: err.code, timedOut };
    }
  }
  try {
    await db.exec('commit');
  } catch (e) {
    const err = toDbError(e);
    await db.exec('rollback').catch(() => undefined);
    return { file: input.file, offset: input.statements.at(-1)?.offset ?? 0, message: `at commit: ${err.message}`, code: err.code, timedOut: false };
  }
  return db.query<{ n: string }>(after);
}

interface NewObject {
  cat: 'rel' | 'proc' | 'con';
  oid: string;
  kind: string;
  schema: string;
  name: string;
  /** The table of an index or constraint. */
  parent: string | null;
}

// max(oid) is an index lookup on each catalog's oid index.
const MAX_OID = `select greatest(
  coalesce((select max(oid) from pg_class)::int8, 0),
  coalesce((select max(oid) from pg_proc)::int8, 0),
  coalesce((select max(oid) from pg_constraint)::int8, 0))::text as n`;

/** Index of the first bound whose `upto` is at least `oid`. */
function lowerBound(bounds: ReadonlyArray<{ upto: number }>, oid: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((bounds[mid]?.upto ?? 0) < oid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function maxOid(db: Db): Promise<number> {
  const [r] = await db.query<{ n: string }>(MAX_OID);
  return Number(r?.n ?? 0);
}

/** Every object created after the baseline (id above `$1`). */
const NEW_OBJECTS = `
select 'rel' as cat, c.oid::int8::text as oid, c.relkind::text as kind, n.nspname as schema, c.relname as name, t.relname as parent
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  left join pg_index i on i.indexrelid = c.oid left join pg_class t on t.oid = i.indrelid
 where c.oid > $1::oid and n.nspname not in ${SYSTEM_SCHEMAS}
union all
select 'proc', p.oid::int8::text, p.prokind::text, n.nspname, p.proname, null
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where p.oid > $1::oid
union all
select 'con', co.oid::int8::text, co.contype::text, n.nspname, co.conname, t.relname
  from pg_constraint co join pg_namespace n on n.oid = co.connamespace left join pg_class t on t.oid = co.conrelid
 where co.oid > $1::oid
`;

const COUNT_OBJECTS = `select count(*)::text as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p', 'S') and n.nspname not in ${SYSTEM_SCHEMAS}`;

/** Byte offset of the statement of `stmts` that created the object; the file's first statement when none names it. */
export function creationOffset(stmts: readonly SqlStatement[], o: Pick<NewObject, 'cat' | 'kind' | 'schema' | 'name' | 'parent'>): number {
  const sameRel = (rv: unknown, name: string): boolean => {
    const r = (rv ?? {}) as { schemaname?: string; relname?: string };
    return r.relname === name && (r.schemaname === undefined || r.schemaname === o.schema);
  };
  const createsTable = (s: SqlStatement, name: string): boolean =>
    (s.kind === 'CreateStmt' && sameRel(s.node.relation, name)) ||
    (s.kind === 'ViewStmt' && sameRel(s.node.view, name)) ||
    (s.kind === 'CreateTableAsStmt' && sameRel((s.node.into as { rel?: unknown } | undefined)?.rel, name));
  const altersTable = (s: SqlStatement, name: string): boolean => s.kind === 'AlterTableStmt' && sameRel(s.node.relation, name);
  let hit: SqlStatement | undefined;
  if (o.cat === 'rel' && o.kind === 'i') {
    hit = stmts.find((s) => s.kind === 'IndexStmt' && s.node.idxname === o.name);
    if (!hit && o.parent) hit = stmts.find((s) => createsTable(s, o.parent as string) || (altersTable(s, o.parent as string) && s.text.includes(o.name)));
  } else if (o.cat === 'rel') {
    hit = stmts.find((s) => createsTable(s, o.name) || (s.kind === 'CreateSeqStmt' && sameRel(s.node.sequence, o.name)));
  } else if (o.cat === 'proc') {
    hit = stmts.find((s) => s.kind === 'CreateFunctionStmt' && names(s.node.funcname).at(-1) === o.name);
  } else if (o.parent) {
    const parent = o.parent;
    hit = stmts.find((s) => altersTable(s, parent) && s.text.includes(o.name)) ?? stmts.find((s) => createsTable(s, parent));
  }
  hit ??= stmts.find((s) => s.text.includes(o.name));
  return hit?.offset ?? stmts[0]?.offset ?? 0;
}

const LINT_QUERIES: Record<CatalogLint['rule'], string> = {
  'rls-disabled': `select 'rel:' || c.oid::int8 as key, n.nspname || '.' || c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relrowsecurity and n.nspname not in ${SYSTEM_SCHEMAS}`,
  'rls-no-policy': `select 'rel:' || c.oid::int8 as key, n.nspname || '.' || c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and c.relrowsecurity and n.nspname not in ${SYSTEM_SCHEMAS}
      and not exists (select 1 from pg_policy p where p.polrelid = c.oid)`,
  'no-primary-key': `select 'rel:' || c.oid::int8 as key, n.nspname || '.' || c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname not in ${SYSTEM_SCHEMAS}
      and not exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p')`,
  'fk-no-index': `select 'con:' || co.oid::int8 as key, n.nspname || '.' || t.relname as object, co.conname as detail,
      (select string_agg(a.attname, ', ' order by k.ord) from unnest(co.conkey) with ordinality k(attnum, ord)
         join pg_attribute a on a.attrelid = co.conrelid and a.attnum = k.attnum) as columns
    from pg_constraint co join pg_class t on t.oid = co.conrelid join pg_namespace n on n.oid = t.relnamespace
    where co.contype = 'f' and not exists (
      select 1 from pg_index i where i.indrelid = co.conrelid
        and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(co.conkey)] @> co.conkey
        and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(co.conkey)] <@ co.conkey)`,
  'duplicate-index': `select 'rel:' || i.indexrelid::int8 as key, n.nspname || '.' || c.relname as object, d.relname as detail
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
    join lateral (select c2.relname from pg_index j join pg_class c2 on c2.oid = j.indexrelid
      where j.indrelid = i.indrelid and j.indexrelid < i.indexrelid and j.indkey::text = i.indkey::text
        and j.indclass::text = i.indclass::text and j.indcollation::text = i.indcollation::text
        and coalesce(pg_get_expr(j.indexprs, j.indrelid), '') = coalesce(pg_get_expr(i.indexprs, i.indrelid), '')
        and coalesce(pg_get_expr(j.indpred, j.indrelid), '') = coalesce(pg_get_expr(i.indpred, i.indrelid), '')
      order by j.indexrelid limit 1) d on true
    where n.nspname not in ${SYSTEM_SCHEMAS}`,
  'function-search-path': `select 'proc:' || p.oid::int8 as key, n.nspname || '.' || p.proname as object from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where p.prokind in ('f', 'p') and n.nspname not in ${SYSTEM_SCHEMAS}
      and not exists (select 1 from unnest(coalesce(p.proconfig, '{}'::text[])) cfg where cfg like 'search_path=%')`,
  'view-security-invoker': `select 'rel:' || c.oid::int8 as key, n.nspname || '.' || c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'v' and n.nspname not in ${SYSTEM_SCHEMAS}
      and not exists (select 1 from unnest(coalesce(c.reloptions, '{}'::text[])) o where lower(o) in ('security_invoker=true', 'security_invoker=on', 'security_invoker=1'))`,
};

function lintMessage(rule: CatalogLint['rule'], object: string, row: LintRow): string {
  switch (rule) {
    case 'rls-disabled':
      return `table ${object} has row level security disabled, so the API roles reach every row; add \`alter table ${object} enable row level security;\` and policies in this migration`;
    case 'rls-no-policy':
      return `table ${object} has row level security enabled but no policy, so no API role can read it; add a \`create policy ... on ${object}\` that says who may read or write`;
    case 'no-primary-key':
      return `table ${object} has no primary key; add one (e.g. \`id uuid primary key default gen_random_uuid()\`) so rows can be updated and replicated`;
    case 'fk-no-index':
      return `foreign key ${row.detail ?? ''} on ${object} (${row.columns ?? ''}) has no index starting with its columns; deletes on the referenced table scan ${object} — add \`create index on ${object} (${row.columns ?? ''})\``;
    case 'duplicate-index':
      return `index ${object} duplicates index ${row.detail ?? ''} (same table, columns, operator classes and predicate); drop one of them`;
    case 'function-search-path':
      return `function ${object} has a mutable search_path, so a caller can shadow the objects it uses; add \`set search_path = ''\` and qualify names`;
    case 'view-security-invoker':
      return `view ${object} runs with its owner's rights and bypasses the callers' row level security; create it \`with (security_invoker = true)\``;
  }
}

interface LintRow {
  key: string;
  object: string;
  detail?: string | null;
  columns?: string | null;
}

async function catalogLints(db: Db, byOid: Map<string, Origin>): Promise<CatalogLint[]> {
  const out: CatalogLint[] = [];
  for (const rule of Object.keys(LINT_QUERIES) as Array<CatalogLint['rule']>) {
    for (const row of await db.query<LintRow>(LINT_QUERIES[rule])) {
      // Objects the migrations did not create (the baseline's) are not the migrations' to fix.
      const origin = byOid.get(row.key);
      if (origin) out.push({ rule, object: row.object, message: lintMessage(rule, row.object, row), ...origin });
    }
  }
  return out;
}

async function readColumns(db: Db): Promise<Map<string, Map<string, ColumnInfo>>> {
  const rows = await db.query<{ tbl: string; col: string; type: string; nullable: boolean }>(
    `select n.nspname || '.' || c.relname as tbl, a.attname as col, format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm') and n.nspname not in ${SYSTEM_SCHEMAS}
        and n.nspname not in ('auth', 'extensions')
      order by 1, a.attnum`,
  );
  const out = new Map<string, Map<string, ColumnInfo>>();
  for (const r of rows) {
    let t = out.get(r.tbl);
    if (!t) out.set(r.tbl, (t = new Map()));
    t.set(r.col, { type: r.type, nullable: r.nullable });
  }
  return out;
}
