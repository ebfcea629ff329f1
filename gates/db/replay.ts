import type { RepoContext } from '../core/repo.ts';
import { PLATFORM_FILE } from '../core/ssot-files.ts';
import { charToByte, loadSqlParser, names, NEWEST_PG_MAJOR, parseSql, qualifiedName, type SqlStatement } from '../core/sql.ts';
import { BASELINE_FILE, engineIdentity, openAhead, openDatabase, rawBaselineSql, startPglite, toDbError, type Db, type StartedPglite } from './engine.ts';
import { MIGRATIONS_DIR, migrationFiles, parsedMigrations, type MigrationFile } from './migrations.ts';
import { targetPlatform } from './platform.ts';
import { cacheable, noteStamp, readReplayCache, replayCacheKey, replayStamp, stampMatches, writeReplayCache, type ReplayKeyInputs } from './replay-cache.ts';
import { newPrepareState, prepareStatements, type PrepareState, type PreparedStatement } from './prepare.ts';
import {
  applySession,
  dropWorkCopy,
  ensureWorkCopy,
  enterWork,
  findTemplate,
  keepTemplate,
  leaveWork,
  MAX_OBJECT_ID,
  pruneTemplates,
  STALE_WORK,
  TEMPLATE_BUILD_PREFIX,
  templateKey,
  templateName,
  templatePlan,
  type TemplateCapture,
  type TemplateState,
} from './template.ts';

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
  /** A migration does not parse with the newest parser: migrations/syntax reports it, no database was opened. */
  syntax?: boolean;
}

/** A table, view or materialized view the migrations created (not one an extension owns). */
export interface CatalogRelation extends Origin {
  schema: string;
  name: string;
  /** `r` table, `p` partitioned table, `v` view, `m` materialized view. */
  kind: string;
  rls: boolean;
  hasPolicy: boolean;
  hasPrimaryKey: boolean;
  /** anon or authenticated hold a privilege on it. */
  apiGrants: boolean;
  /** anon or authenticated may use its schema. */
  apiSchema: boolean;
  reloptions: string[];
}

export interface CatalogForeignKey extends Origin {
  schema: string;
  table: string;
  name: string;
  columns: string[];
  /** An index starts with exactly the key's columns. */
  indexed: boolean;
}

export interface CatalogIndex extends Origin {
  schema: string;
  table: string;
  name: string;
  /** Columns, operator classes, collations, expressions and predicate: equal signatures are duplicates. */
  signature: string;
}

export interface CatalogFunction extends Origin {
  schema: string;
  name: string;
  args: string;
  searchPathSet: boolean;
  securityDefiner: boolean;
}

/** What the migrations created, read from the catalog after the replay, each object at its creating statement. */
export interface CatalogSnapshot {
  relations: CatalogRelation[];
  foreignKeys: CatalogForeignKey[];
  indexes: CatalogIndex[];
  functions: CatalogFunction[];
}

export interface ColumnInfo {
  type: string;
  nullable: boolean;
}

/** Something the replay did differently from the platform, at the statement concerned. */
export interface ReplayNotice extends Origin {
  message: string;
}

/** How the replay started: from a template of the pull request's base, or from the baseline (and why not from a template). */
export type ReplayBasis =
  | {
      from: 'template';
      template: string;
      built: boolean;
      baseFiles: number;
      /** `copy`: a copy of the template per run; `rollback`: its working copy, the new file in one transaction rolled back at the end. */
      via: 'copy' | 'rollback';
      /** Why a copy was made rather than the working copy used. */
      reason?: string;
    }
  | { from: 'baseline'; reason?: string };

export interface ReplayResult {
  engine: Db['engine'];
  /** The throwaway database the replay ran in, on a server (dropped since). */
  database?: string;
  /** How this run's replay started (not stored in the replay cache: it never changes the result). */
  basis?: ReplayBasis;
  /** Taken from the replay cache: no database was opened. */
  fromCache?: boolean;
  /** Postgres major of the engine and of the target platform. */
  engineMajor: number;
  targetMajor: number;
  /** Files applied (committed), in order. */
  applied: string[];
  failure: ReplayFailure | undefined;
  /** Stubbed extensions and left-out transaction control, once per file and kind. */
  notices: ReplayNotice[];
  catalog: CatalogSnapshot;
  /** Tables plus sequences (relkind r, p, S) outside the system schemas after each file, counting those alive at the end. */
  objectCounts: Array<{ file: string; count: number }>;
  /** Columns of every table and view, by `schema.table`. */
  columns: Map<string, Map<string, ColumnInfo>>;
  /** Where each table or view was created, by `schema.name`. */
  origins: Map<string, Origin>;
  /**
   * Rows of the seeded tables (every table a migration inserts or copies rows into) that exist
   * after the replay, by `schema.table`; a table of more than {@link SEEDED_ROW_LIMIT} rows is left
   * out and named in `rowsOmitted`.
   */
  rows: Map<string, Array<Record<string, unknown>>>;
  rowsOmitted: string[];
}

export interface ReplayOptions {
  databaseUrl?: string | undefined;
  statementTimeoutMs?: number;
  /** Postgres major of the target platform (default the engine's: no version check). */
  targetMajor?: number;
  /**
   * Postgres: copy this template, which holds the first `state.bounds.length` inputs replayed,
   * and replay only the inputs after them. With `work` (the template's working copy), at most one
   * input follows them: it is replayed in that database in one transaction, the catalog read in
   * it, and the transaction rolled back (commit-time checks run as `set constraints all
   * immediate`), so the database stays the base's state.
   */
  template?: { name: string; state: TemplateState; work?: string };
  /**
   * Postgres: when every input applied, hand the database to `keep` (which keeps or drops it)
   * with what a template needs, instead of reading the catalog snapshot; the result carries none.
   */
  keep?: (db: Db, state: TemplateCapture) => Promise<void>;
  /** PGlite: the database `startPglite` began to open for this replay, taken when it matches. */
  started?: StartedPglite | undefined;
}

/** The most rows of one seeded table the result carries; a larger table is named in `rowsOmitted`. */
export const SEEDED_ROW_LIMIT = 10_000;

/**
 * Replays the repository's migrations once per run and shares the result (undefined when there is
 * no migration). Migrations are parsed with the parser of the target platform's Postgres major.
 */
export function replay(ctx: RepoContext): Promise<ReplayResult | undefined> {
  return ctx.memo('db/replay', async () => {
    const dir = ctx.options.replayCache;
    // On PGlite, the worker starts before the migrations are even listed, unless the cache will
    // likely hit (the migrations folder looks as it did when the cache last held this root's
    // result: a wrong guess only moves the start after the cache lookup).
    const stamp = ctx.options.databaseUrl ? undefined : replayStamp(ctx.root, MIGRATIONS_DIR, PLATFORM_FILE, BASELINE_FILE);
    let ahead = stamp !== undefined && !(dir && stampMatches(dir, ctx.root, stamp)) ? startPglite() : undefined;
    try {
      const files = migrationFiles(ctx);
      if (files.length === 0) return undefined;
      const key = dir ? await replayKey(ctx, files) : undefined;
      if (dir && key) {
        const hit = readReplayCache(dir, key);
        if (hit) {
          if (stamp !== undefined) noteStamp(dir, ctx.root, stamp);
          return { ...hit, fromCache: true };
        }
      }
      if (!ahead && !ctx.options.databaseUrl) ahead = startPglite();
      const r = await replayUncached(ctx, files, ahead);
      replayNoteOf(ctx).text = describeBasis(r.basis);
      if (dir && key && cacheable(r) && writeReplayCache(dir, key, r) && stamp !== undefined) noteStamp(dir, ctx.root, stamp);
      return r;
    } finally {
      ahead?.discard();
    }
  });
}

/** One line on how this run's replay started, when a pull request's base was given on a server; undefined otherwise or before the replay ran. */
export function replayNote(ctx: RepoContext): string | undefined {
  return replayNoteOf(ctx).text;
}

// `core/` memos are shared by every view of the run's repository.
const replayNoteOf = (ctx: RepoContext): { text: string | undefined } => ctx.memo('core/db-replay-note', () => ({ text: undefined }));

function describeBasis(b: ReplayBasis | undefined): string | undefined {
  if (!b) return undefined;
  if (b.from === 'template') {
    const of = `the template ${b.template} of the base's ${b.baseFiles} ${b.baseFiles === 1 ? 'migration' : 'migrations'}${b.built ? ' (built by this run)' : ''}`;
    return b.via === 'rollback'
      ? `replayed the new migrations in one transaction, rolled back after, on the working copy of ${of}`
      : `copied ${of} and replayed only the new migrations${b.reason ? ` (not on its working copy: ${b.reason})` : ''}`;
  }
  return b.reason ? `replayed every migration from the baseline, not from a template of the base: ${b.reason}` : undefined;
}

/** The engine's identity, asked once per run; undefined when the server cannot be reached. */
function engineOf(ctx: RepoContext): Promise<string | undefined> {
  return ctx.memo('db/engine-identity', () => engineIdentity(ctx.options.databaseUrl).catch(() => undefined));
}

/** What a replay of these files depends on, for a cache or template key; undefined when the engine cannot be identified. */
async function keyInputs(ctx: RepoContext, files: readonly MigrationFile[]): Promise<ReplayKeyInputs | undefined> {
  const engine = await engineOf(ctx);
  if (engine === undefined) return undefined;
  return {
    baseline: rawBaselineSql(),
    files: files.map((m) => ({ file: m.file, text: ctx.text(m.file) ?? '' })),
    platform: targetPlatform(ctx),
    engine,
  };
}

/** The replay cache key of this tree (its migrations as the replay reads them), or undefined when the engine cannot be identified (its server is unreachable: the replay reports that). */
export async function replayKey(ctx: RepoContext, files: readonly MigrationFile[] = migrationFiles(ctx)): Promise<string | undefined> {
  const inputs = await keyInputs(ctx, files);
  return inputs && replayCacheKey(inputs);
}

/**
 * The extensions the migrations appear to create, read from their text without parsing them, so
 * that the embedded Postgres can start opening while they are parsed: a name in a comment or a
 * string only makes the guess wrong, and a wrong guess is never used (the database is opened
 * again with what the parse found).
 */
export function guessExtensions(texts: Iterable<string>): string[] {
  const out = new Set<string>();
  const re = /\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?(?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_$]*))/gi;
  for (const text of texts) for (const m of text.matchAll(re)) out.add(m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? '').toLowerCase());
  return [...out].sort();
}

/** Parses the migrations with the target platform's grammar and replays them (on PGlite, on the worker `ahead` when it opens the same database). */
async function replayUncached(ctx: RepoContext, files: readonly MigrationFile[], ahead: StartedPglite | undefined): Promise<ReplayResult> {
  // The worker opens the database while the migrations are parsed.
  if (ahead) {
    openAhead(ahead, guessExtensions(files.map((m) => ctx.text(m.file) ?? '')), async (available) => {
      await loadSqlParser();
      return preparedBaseline(newPrepareState(available, NEWEST_PG_MAJOR, NEWEST_PG_MAJOR));
    });
  }
  return replayParsed(ctx, files, ahead);
}

async function replayParsed(ctx: RepoContext, files: readonly MigrationFile[], ahead: StartedPglite | undefined): Promise<ReplayResult> {
  const parsed = await parsedMigrations(ctx);
  const target = targetPlatform(ctx).postgresMajor;
  const empty = (failure: ReplayFailure): ReplayResult => ({ ...emptyResult(ctx.options.databaseUrl ? 'postgres' : 'pglite'), targetMajor: target, failure });
  for (const m of files) {
    const p = parsed.get(m.file);
    if (p && !p.ok) return empty({ file: m.file, offset: p.offset, message: `it does not parse: ${p.message}`, code: '42601', timedOut: false, syntax: true });
  }
  await loadSqlParser(target);
  /** A file as the replay takes it: undefined when unreadable (left out), or why the target's grammar refuses it. */
  const input = (m: MigrationFile): ReplayInput | ReplayFailure | undefined => {
    const p = target === NEWEST_PG_MAJOR ? parsed.get(m.file) : parseSql(ctx.text(m.file) ?? '', target);
    if (!p) return undefined;
    if (p.ok) return { file: m.file, statements: p.statements };
    return {
      file: m.file,
      offset: p.offset,
      message: `${p.message} with the grammar of Postgres ${target}, the target platform (ssot/platform.yaml database.postgres_major); the statement needs a newer Postgres`,
      code: '42601',
      timedOut: false,
    };
  };
  const opts: ReplayOptions = { databaseUrl: ctx.options.databaseUrl, targetMajor: target, started: ahead };
  let reason: string | undefined;
  if (ctx.options.databaseUrl) {
    const via = await replayFromTemplate(ctx, files, input, opts).catch((e: unknown) => ({ reason: `the template failed: ${toDbError(e).message}` }));
    if ('result' in via) return via.result;
    if ('failure' in via) return empty(via.failure);
    reason = via.reason;
  }
  const inputs: ReplayInput[] = [];
  for (const m of files) {
    const i = input(m);
    if (i && 'message' in i) return empty(i);
    if (i) inputs.push(i);
  }
  const r = await replayMigrations(inputs, opts);
  return reason === undefined ? r : { ...r, basis: { from: 'baseline', reason } };
}

/**
 * A pull request's replay on a server, from the template of its base (built by this run when the
 * server has none): a copy of the base's replayed database, then only the files the pull request
 * adds. Its result is the full replay's. Or why it cannot start there; the caller then replays
 * every file from the baseline.
 */
async function replayFromTemplate(
  ctx: RepoContext,
  files: readonly MigrationFile[],
  input: (m: MigrationFile) => ReplayInput | ReplayFailure | undefined,
  opts: ReplayOptions,
): Promise<{ result: ReplayResult } | { failure: ReplayFailure } | { reason: string | undefined }> {
  const url = opts.databaseUrl;
  const plan = templatePlan(ctx, files);
  if (!url || !plan) return { reason: undefined };
  if ('reason' in plan) return plan;
  const key = await baseTemplateKey(ctx, plan.base);
  if (!key) return { reason: undefined };
  const name = templateName(key);
  const timeout = opts.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
  let state = await findTemplate(url, name, key);
  const built = state === undefined;
  // A template of this key was built from these very files, which then all parsed with the
  // target's grammar: a base file is parsed only if the replay needs its statements.
  const inputs: ReplayInput[] = [];
  for (const m of files.slice(0, state ? plan.base.length : files.length)) {
    const i = state ? lazyInput(m, input) : input(m);
    if (i && 'message' in i) return { failure: i };
    if (!i) return { reason: `${m.file} cannot be read` };
    inputs.push(i);
  }
  for (const m of state ? files.slice(plan.base.length) : []) {
    const i = input(m);
    if (i && 'message' in i) return { failure: i };
    if (i) inputs.push(i);
  }
  const base = inputs.slice(0, plan.base.length);
  if (!state) {
    if (createsRoles(base)) return { reason: "the base's migrations create roles, which live in the server, not in a database a template can hold" };
    const out: { kept?: TemplateState | { reason: string } } = {};
    const build = await replayMigrations(base, {
      ...opts,
      keep: async (db, s) => {
        out.kept = await keepTemplate(db, url, name, key, s, timeout);
      },
    });
    const f = build.failure;
    if (f) {
      return { reason: f.setup ? f.message : `the base's replay stops at ${f.file}:${lineOf(ctx, f.file, f.offset)}, so it has no template` };
    }
    const kept = out.kept ?? { reason: "the base's replay did not finish" };
    if ('reason' in kept) return kept;
    state = kept;
    await pruneTemplates(url);
  }
  const basis = { from: 'template' as const, template: name, built, baseFiles: base.length };
  const added = inputs.slice(base.length);
  const why = rollbackBlocker(added);
  if (!why) {
    const work = await ensureWorkCopy(url, name);
    const r = await replayMigrations(inputs, { ...opts, template: { name, state, work } });
    if (!r.failure?.setup) return { result: { ...r, basis: { ...basis, via: 'rollback' } } };
    if (r.failure.message.startsWith(STALE_WORK)) await dropWorkCopy(url, work);
    const r2 = await replayMigrations(inputs, { ...opts, template: { name, state } });
    if (r2.failure?.setup) return { reason: `the template ${name} could not be copied: ${r2.failure.message}` };
    return { result: { ...r2, basis: { ...basis, via: 'copy', reason: r.failure.message } } };
  }
  const r = await replayMigrations(inputs, { ...opts, template: { name, state } });
  if (r.failure?.setup) return { reason: `the template ${name} could not be copied: ${r.failure.message}` };
  return { result: { ...r, basis: { ...basis, via: 'copy', reason: why } } };
}

/** A base file whose statements are parsed on first use (a template holds what the replay needs of it). */
function lazyInput(m: MigrationFile, input: (m: MigrationFile) => ReplayInput | ReplayFailure | undefined): ReplayInput {
  let statements: SqlStatement[] | undefined;
  return {
    file: m.file,
    get statements(): SqlStatement[] {
      if (!statements) {
        const i = input(m);
        if (!i || 'message' in i) throw new Error(`${m.file} of the template's base no longer parses: ${i ? i.message : 'unreadable'}`);
        statements = i.statements;
      }
      return statements;
    },
  };
}

/**
 * Why the new files cannot be replayed in one transaction rolled back, as if each had been
 * committed: more than one file (each file's commit would be a savepoint, and what a commit does
 * between files, e.g. letting a later file use an enum value an earlier one added, would not
 * happen), roles (the replay takes turns on the server for them), `on commit` actions of
 * temporary tables (run at a commit that never comes), and settings for the transaction only
 * (`set local`, `set_config(..., true)`), which a commit would end before the catalog is read
 * (type names there depend on the search_path).
 */
function rollbackBlocker(added: readonly ReplayInput[]): string | undefined {
  if (added.length > 1) return `the pull request adds ${added.length} migrations; one is replayed on the working copy`;
  if (createsRoles(added)) return 'the new migration creates roles';
  if (added.some((i) => i.statements.some((s) => /\bon\s+commit\b/i.test(s.text)))) return 'the new migration has an `on commit` action';
  if (added.some((i) => i.statements.some((s) => /\bset\s+local\b|\bset_config\s*\(/i.test(s.text))))
    return 'the new migration changes a setting for its transaction only';
  return undefined;
}

async function baseTemplateKey(ctx: RepoContext, base: readonly MigrationFile[]): Promise<string | undefined> {
  const k = await keyInputs(ctx, base);
  return k && templateKey(replayCacheKey(k));
}

/** The template a pull-request run's replay on a server starts from (whether the server has it or not); undefined when it starts from the baseline. */
export async function replayTemplateName(ctx: RepoContext): Promise<string | undefined> {
  const plan = ctx.options.databaseUrl ? templatePlan(ctx, migrationFiles(ctx)) : undefined;
  if (!plan || 'reason' in plan) return undefined;
  const key = await baseTemplateKey(ctx, plan.base);
  return key && templateName(key);
}

/** Whether a statement creates a role (cluster-wide: replays that do take turns and drop them after). */
const createsRole = (s: SqlStatement): boolean => s.kind === 'CreateRoleStmt' || (s.kind === 'DoStmt' && /\bcreate\s+(role|user|group)\b/i.test(s.text));

function createsRoles(inputs: readonly ReplayInput[]): boolean {
  return inputs.some((i) => i.statements.some(createsRole));
}

/** The baseline, each statement as the engine will run it (stubs for extensions it lacks). */
export function preparedBaseline(st: PrepareState): string {
  const p = parseSql(rawBaselineSql());
  if (!p.ok) throw new Error(`${BASELINE_FILE} does not parse: ${p.message}`);
  return prepareStatements(p.statements, st)
    .flatMap((x) => (x.sql === undefined ? [] : [`${x.sql};`]))
    .join('\n');
}

/** Applies each file as one transaction, statement by statement, on a fresh database, then reads the catalog. */
export async function replayMigrations(inputs: readonly ReplayInput[], opts: ReplayOptions = {}): Promise<ReplayResult> {
  const timeout = opts.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
  await loadSqlParser();
  const extensions = new Set<string>();
  let roles = false;
  const texts: string[] = [];
  // A template's files are replayed already (and create no role: the template would not be kept).
  const from = opts.databaseUrl ? opts.template : undefined;
  for (const input of inputs.slice(from?.state.bounds.length ?? 0)) {
    for (const s of input.statements) {
      if (s.kind === 'CreateExtensionStmt') extensions.add(typeof s.node.extname === 'string' ? s.node.extname : '');
      if (createsRole(s)) roles = true;
      texts.push(s.text.toLowerCase());
    }
  }
  const all = texts.join('\n');
  let state: PrepareState | undefined;
  let db: Db;
  try {
    db = await openDatabase({
      databaseUrl: opts.databaseUrl,
      statementTimeoutMs: timeout,
      pgliteExtensions: [...extensions],
      ...(from ? { template: from.name } : {}),
      ...(from?.work ? { existing: from.work } : {}),
      ...(opts.keep ? { namePrefix: TEMPLATE_BUILD_PREFIX } : {}),
      started: opts.started,
      baseline: (available) => {
        state = newPrepareState(available, NEWEST_PG_MAJOR, NEWEST_PG_MAJOR);
        return preparedBaseline(state);
      },
      ...(roles ? { ownsRole: (name: string) => all.includes(name.toLowerCase()) } : {}),
    });
  } catch (e) {
    const err = toDbError(e);
    const where = opts.databaseUrl ? 'the Postgres of DATABASE_URL' : 'the embedded PGlite';
    return {
      ...emptyResult(opts.databaseUrl ? 'postgres' : 'pglite'),
      failure: {
        file: inputs[0]?.file ?? '',
        offset: 0,
        message: `could not open a replay database on ${where}: ${err.message}`,
        code: err.code,
        timedOut: false,
        setup: true,
      },
    };
  }
  // On a template's working copy, the run's transaction is rolled back however the replay ends.
  let working = Boolean(from?.work);
  try {
    const result = emptyResult(db.engine);
    if (db.name) result.database = db.name;
    result.engineMajor = db.major;
    result.targetMajor = opts.targetMajor ?? db.major;
    const st = state ?? newPrepareState(db.available, result.targetMajor, db.major);
    st.targetMajor = result.targetMajor;
    st.engineMajor = db.major;
    // Object ids only grow on a fresh database: what file k creates has an id above the largest
    // id after file k-1 and at most the largest after file k. Reading that bound is an index
    // lookup, so the catalog itself is read once, after the last file. A copy of a template keeps
    // the template's ids, and what it creates gets ids above them: the template says where the
    // baseline ended and the bound of each file it holds.
    const bounds: Array<{ input: ReplayInput; upto: number }> = [];
    let start: number;
    let baselineCount: number;
    let done = 0;
    if (from) {
      start = from.state.start;
      baselineCount = from.state.baselineCount;
      // What preparing the base's statements left, and their notices, as the template's build had them.
      const p = from.state.prepared;
      st.stubbed = new Set(p.stubbed);
      st.stubObjects = new Set(p.stubObjects);
      st.roles = new Set(p.roles);
      st.functions = new Set(p.functions);
      result.notices.push(...from.state.notices.map((n) => ({ ...n })));
      for (const [file, upto] of from.state.bounds) {
        const input = inputs[done];
        if (input?.file !== file) throw new Error(`the template ${from.name} holds ${file}, where the replay has ${input?.file ?? 'no file'}`);
        result.applied.push(file);
        bounds.push({ input, upto });
        done++;
      }
      if (from.work) {
        if (inputs.length - done > 1) throw new Error('the working copy of a template takes one new file');
        const busy = await enterWork(db, from.state);
        if (busy) {
          working = false;
          return {
            ...emptyResult('postgres'),
            failure: { file: inputs[done]?.file ?? '', offset: 0, message: busy, code: undefined, timedOut: false, setup: true },
          };
        }
      }
      await applySession(db, from.state.session);
    } else {
      start = await maxOid(db);
      const [base] = await db.query<{ n: string }>(COUNT_OBJECTS);
      baselineCount = Number(base?.n ?? 0);
    }
    let last = Math.max(start, bounds.at(-1)?.upto ?? 0);
    // The tables the migrations seed, in statement order (a template knows its base's).
    const seeded = from ? [...new Set([...from.state.seeded, ...seededTables(inputs.slice(done))])] : seededTables(inputs);
    for (const input of inputs.slice(done)) {
      const prepared = prepareStatements(input.statements, st);
      notePrepared(result, input, prepared);
      const applied = await applyFile(db, input, prepared, timeout, MAX_OID, from?.work ? COMMIT_CHECKS : 'commit');
      if (!Array.isArray(applied)) {
        result.failure = applied;
        break;
      }
      result.applied.push(input.file);
      last = Math.max(last, Number(applied[0]?.n ?? 0));
      bounds.push({ input, upto: last });
    }
    const objects = result.failure ? [] : await db.query<NewObject>(NEW_OBJECTS.replaceAll('$1', String(start)));
    // Where each object was created: the file from the bounds, the statement from the file's (a
    // template says it for the objects its base created, as long as they are what they were).
    const stored = new Map((from?.state.origins ?? []).map(([key, offset, kind, schema, name, parent]) => [key, { offset, kind, schema, name, parent }]));
    const originOf = (o: NewObject): Origin | undefined => {
      const owner = bounds[lowerBound(bounds, Number(o.oid))];
      if (!owner) return undefined;
      const was = stored.get(`${o.cat}:${o.oid}`);
      const same = was && was.kind === o.kind && was.schema === o.schema && was.name === o.name && was.parent === o.parent;
      return { file: owner.input.file, offset: same ? was.offset : creationOffset(owner.input.statements, o) };
    };
    if (opts.keep && !result.failure) {
      await opts.keep(db, {
        start,
        baselineCount,
        bounds: bounds.map((b): [string, number] => [b.input.file, b.upto]),
        prepared: { stubbed: [...st.stubbed], stubObjects: [...st.stubObjects], roles: [...st.roles], functions: [...st.functions] },
        notices: result.notices,
        seeded,
        origins: objects.flatMap((o) => {
          const origin = originOf(o);
          return origin ? [[`${o.cat}:${o.oid}`, origin.offset, o.kind, o.schema, o.name, o.parent] as TemplateState['origins'][number]] : [];
        }),
      });
      return result;
    }
    const byOid = new Map<string, Origin>();
    if (!result.failure) {
      const perFile = new Map<string, number>();
      for (const o of objects) {
        const origin = originOf(o);
        if (!origin) continue;
        byOid.set(`${o.cat}:${o.oid}`, origin);
        if (o.cat === 'rel' && 'rpvmf'.includes(o.kind)) result.origins.set(`${o.schema}.${o.name}`, origin);
        if (o.cat === 'rel' && 'rpS'.includes(o.kind)) perFile.set(origin.file, (perFile.get(origin.file) ?? 0) + 1);
      }
      // Tables and sequences alive at the end, counted at the file that created them.
      let count = baselineCount;
      for (const b of bounds) {
        count += perFile.get(b.input.file) ?? 0;
        result.objectCounts.push({ file: b.input.file, count });
      }
      result.catalog = await readCatalog(db, byOid, st.stubObjects);
      result.columns = await readColumns(db);
      await readSeededRows(db, seeded, result);
    }
    return result;
  } finally {
    if (working && from) await leaveWork(db, from.state).catch(() => undefined);
    await db.close();
  }
}

/** What a commit checks, run without committing: deferred constraints and constraint triggers. */
const COMMIT_CHECKS = 'set constraints all immediate';

/** The notices of a file's prepared statements, once per file and kind. */
function notePrepared(result: ReplayResult, input: ReplayInput, prepared: readonly PreparedStatement[]): void {
  const seen = new Set<string>();
  for (const p of prepared) {
    if (p.note && !seen.has(p.note)) {
      seen.add(p.note);
      result.notices.push({ file: input.file, offset: p.stmt.offset, message: p.note });
    }
  }
}

function emptyResult(engine: Db['engine']): ReplayResult {
  return {
    engine,
    engineMajor: 0,
    targetMajor: 0,
    applied: [],
    failure: undefined,
    notices: [],
    catalog: { relations: [], foreignKeys: [], indexes: [], functions: [] },
    objectCounts: [],
    columns: new Map(),
    origins: new Map(),
    rows: new Map(),
    rowsOmitted: [],
  };
}

/** `insert into <name>` in the text of a DO block or a function body, which the parser does not open. */
const INSERT_IN_BODY = /\binsert\s+into\s+((?:"(?:[^"]|"")+"|[a-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[a-z_][\w$]*))?)/gi;

/**
 * The tables the migrations may seed, as written: the target of every INSERT and COPY FROM, and
 * every `insert into` in a DO block or function body. A name that is no table after the replay is
 * passed over.
 */
function seededTables(inputs: readonly ReplayInput[]): string[] {
  const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const out = new Set<string>();
  for (const input of inputs) {
    for (const s of input.statements) {
      if (s.kind === 'InsertStmt' || (s.kind === 'CopyStmt' && s.node.is_from === true)) {
        const rel = qualifiedName(s.node.relation);
        if (rel) out.add(rel.schema === undefined ? quote(rel.name) : `${quote(rel.schema)}.${quote(rel.name)}`);
      } else if (s.kind === 'DoStmt' || s.kind === 'CreateFunctionStmt') {
        for (const m of s.text.matchAll(INSERT_IN_BODY)) out.add((m[1] as string).replace(/\s+/g, ''));
      }
    }
  }
  return [...out];
}

/** Reads the rows of every seeded table (`written` as `seededTables` gives them) that exists after the replay into `result.rows`. */
async function readSeededRows(db: Db, tables: readonly string[], result: ReplayResult): Promise<void> {
  for (const written of tables) {
    const [t] = await db.query<{ name: string | null; sql: string | null }>(
      `select n.nspname || '.' || c.relname as name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as sql
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.oid = to_regclass($1) and c.relkind in ('r', 'p', 'v', 'm')`,
      [written],
    );
    if (!t?.name || !t.sql || result.rows.has(t.name) || result.rowsOmitted.includes(t.name)) continue;
    const [over] = await db.query<{ over: boolean }>(
      `select count(*) > ${SEEDED_ROW_LIMIT} as over from (select from ${t.sql} limit ${SEEDED_ROW_LIMIT + 1}) x`,
    );
    if (over?.over) result.rowsOmitted.push(t.name);
    // In a stable order: where a row lands in the heap changes with the server's vacuuming.
    else result.rows.set(t.name, await db.query<Record<string, unknown>>(`select r.* from ${t.sql} r order by r::text`));
  }
}

/**
 * Applies a file as one transaction and returns what `after` (a catalog query) reads, or the
 * failure. `commit` ends the transaction (on a template's working copy, the commit-time checks
 * alone: the transaction stays open and is rolled back by the caller).
 */
async function applyFile(
  db: Db,
  input: ReplayInput,
  prepared: readonly PreparedStatement[],
  timeoutMs: number,
  after: string,
  commit: string,
): Promise<Array<{ n: string }> | ReplayFailure> {
  const sent = prepared.filter((p) => p.sql !== undefined);
  // Fast path: the whole file and the catalog query in one round trip. Only when it fails is it
  // replayed statement by statement, to find the failing statement and Postgres's position in it.
  // PGlite goes statement by statement: a hang there kills the database, so the batch could not be retried.
  if (db.engine === 'postgres' && !prepared.some((p) => p.error)) {
    const batch = ['begin', ...sent.map((p) => p.sql), commit, after].join(';\n');
    try {
      return await db.batch<{ n: string }>(batch);
    } catch {
      await db.exec('rollback').catch(() => undefined);
    }
  }
  await db.exec('begin');
  for (const p of sent) {
    const s = p.stmt;
    if (p.error) {
      await db.exec('rollback').catch(() => undefined);
      return { file: input.file, offset: p.error.offset, message: p.error.message, code: p.error.code, timedOut: false };
    }
    try {
      await db.exec(p.sql as string);
    } catch (e) {
      await db.exec('rollback').catch(() => undefined);
      const err = toDbError(e);
      // A position points into the statement as written; a stub's text is not the statement's.
      const offset = s.offset + (err.position && p.sql === s.text ? charToByte(s.text, err.position - 1) : 0);
      const timedOut = err.code === '57014';
      const message = timedOut ? `statement ran longer than the ${timeoutMs / 1000} s replay timeout and was cancelled (${err.message})` : err.message;
      return { file: input.file, offset, message, code: err.code, timedOut };
    }
  }
  try {
    await db.exec(commit);
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
const MAX_OID = MAX_OBJECT_ID;

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
order by 1, 2
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

/** Objects an extension owns (pg_depend deptype 'e') are not the migrations'. */
const notExtensionOwned = (classid: string, oid: string): string =>
  `not exists (select 1 from pg_depend d where d.classid = '${classid}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;

const CATALOG_QUERIES = {
  relations: `select 'rel:' || c.oid::int8 as key, n.nspname as schema, c.relname as name, c.relkind::text as kind, c.relrowsecurity as rls,
      exists (select 1 from pg_policy p where p.polrelid = c.oid) as "hasPolicy",
      exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p') as "hasPrimaryKey",
      (has_table_privilege('anon', c.oid, 'select, insert, update, delete') or has_table_privilege('authenticated', c.oid, 'select, insert, update, delete')) as "apiGrants",
      (has_schema_privilege('anon', n.oid, 'usage') or has_schema_privilege('authenticated', n.oid, 'usage')) as "apiSchema",
      coalesce(c.reloptions, '{}'::text[]) as reloptions
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm') and n.nspname not in ${SYSTEM_SCHEMAS} and ${notExtensionOwned('pg_class', 'c.oid')}
    order by c.oid`,
  foreignKeys: `select 'con:' || co.oid::int8 as key, n.nspname as schema, t.relname as table, co.conname as name,
      array(select a.attname::text from unnest(co.conkey) with ordinality k(attnum, ord)
         join pg_attribute a on a.attrelid = co.conrelid and a.attnum = k.attnum order by k.ord) as columns,
      exists (select 1 from pg_index i where i.indrelid = co.conrelid
        and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(co.conkey)] @> co.conkey
        and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(co.conkey)] <@ co.conkey) as indexed
    from pg_constraint co join pg_class t on t.oid = co.conrelid join pg_namespace n on n.oid = t.relnamespace
    where co.contype = 'f' and n.nspname not in ${SYSTEM_SCHEMAS} and ${notExtensionOwned('pg_class', 't.oid')}
    order by co.oid`,
  indexes: `select 'rel:' || i.indexrelid::int8 as key, n.nspname as schema, t.relname as table, c.relname as name,
      concat_ws(' | ', i.indrelid::text, i.indkey::text, i.indclass::text, i.indcollation::text,
        coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), coalesce(pg_get_expr(i.indpred, i.indrelid), '')) as signature
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname not in ${SYSTEM_SCHEMAS} and ${notExtensionOwned('pg_class', 't.oid')}
    order by i.indexrelid`,
  functions: `select 'proc:' || p.oid::int8 as key, n.nspname as schema, p.proname as name, pg_get_function_identity_arguments(p.oid) as args,
      exists (select 1 from unnest(coalesce(p.proconfig, '{}'::text[])) cfg where cfg like 'search_path=%') as "searchPathSet",
      p.prosecdef as "securityDefiner"
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where p.prokind in ('f', 'p') and n.nspname not in ${SYSTEM_SCHEMAS} and ${notExtensionOwned('pg_proc', 'p.oid')}
    order by p.oid`,
} as const;

/** The objects the migrations created (id above the baseline's), each at the statement that created it; stubs' objects left out. */
async function readCatalog(db: Db, byOid: Map<string, Origin>, stubObjects: ReadonlySet<string>): Promise<CatalogSnapshot> {
  const pick = async <T extends { schema: string; name: string }>(sql: string): Promise<T[]> => {
    const out: T[] = [];
    for (const row of await db.query<T & { key: string }>(sql)) {
      const origin = byOid.get(row.key);
      if (!origin || stubObjects.has(`${row.schema}.${row.name}`)) continue;
      const { key: _key, ...rest } = row;
      out.push({ ...(rest as unknown as T), ...origin });
    }
    return out;
  };
  return {
    relations: await pick<CatalogRelation>(CATALOG_QUERIES.relations),
    foreignKeys: await pick<CatalogForeignKey>(CATALOG_QUERIES.foreignKeys),
    indexes: await pick<CatalogIndex>(CATALOG_QUERIES.indexes),
    functions: await pick<CatalogFunction>(CATALOG_QUERIES.functions),
  };
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
    if (!t) out.set(r.tbl, (t = new Map<string, ColumnInfo>()));
    t.set(r.col, { type: r.type, nullable: r.nullable });
  }
  return out;
}

/** 1-based line of a byte offset in a file of the tree. */
export function lineOf(ctx: RepoContext, file: string, offset: number): number {
  const text = ctx.text(file) ?? '';
  const head = Buffer.from(text, 'utf8').subarray(0, offset).toString('utf8');
  return head.split('\n').length;
}

/**
 * The replay, for a policy that needs it complete: the result, undefined when there is no
 * migration, or the reason (with file:line) to report the policy as skipped.
 */
export async function completeReplay(ctx: RepoContext): Promise<ReplayResult | { skipped: string } | undefined> {
  const r = await replay(ctx);
  if (!r) return undefined;
  const f = r.failure;
  if (!f) return r;
  const at = `${f.file}:${lineOf(ctx, f.file, f.offset)}`;
  if (f.setup) return { skipped: `no replay database (${f.message}); see migrations/replay` };
  if (f.syntax) return { skipped: `the migrations were not replayed: ${at} does not parse (see migrations/syntax)` };
  return { skipped: `the replay stopped at ${at} (${f.message}; see migrations/replay), so the schema after all migrations is unknown` };
}

/** A fresh database with the baseline applied (for benches and tests): PGlite with `extensions` loaded, or Postgres. */
export async function openBaselineDatabase(databaseUrl?: string, extensions: readonly string[] = []): Promise<Db> {
  await loadSqlParser();
  return openDatabase({
    databaseUrl,
    statementTimeoutMs: STATEMENT_TIMEOUT_MS,
    pgliteExtensions: extensions,
    baseline: (available) => preparedBaseline(newPrepareState(available, NEWEST_PG_MAJOR, NEWEST_PG_MAJOR)),
  });
}
