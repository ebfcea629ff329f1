import { sourcesHash } from '../core/engine-dir.ts';
import { packageVersion } from '../core/parse-cache.ts';
import type { RepoContext } from '../core/repo.ts';
import { loadSqlParser, NEWEST_PG_MAJOR, parseSql, type SqlParse } from '../core/sql.ts';

/** Where Supabase-style migrations live. */
export const MIGRATIONS_DIR = 'migrations';

/**
 * The names the Supabase CLI applies: `<digits>_<anything>.sql`, directly in the migrations folder
 * (`migrateFilePattern` in supabase/cli pkg/migration/file.go). Anything else there is skipped.
 */
export const MIGRATION_NAME = /^([0-9]+)_(.*)\.sql$/;

/**
 * The CLI also skips a first file `<14 digits>_init.sql` older than 2021-12-09, the schema dump of
 * its early versions (`shouldSkip` in supabase/cli pkg/migration/list.go).
 */
const LEGACY_INIT = /([0-9]{14})_init\.sql/;
const LEGACY_INIT_BEFORE = 20211209000000;

export interface MigrationFile {
  /** Repo-relative path, `migrations/<version>_<name>.sql`. */
  file: string;
  version: string;
  name: string;
}

/** What the CLI does with one entry of the migrations folder. */
export type FolderEntry =
  { file: string; kind: 'migration'; version: string; name: string } | { file: string; kind: 'legacy-init' | 'not-matching' | 'nested' };

/** Byte order of names, as Go's `fs.ReadDir` sorts a directory (the CLI's apply order). */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every file under `migrations/` and what the Supabase CLI does with it, in the CLI's order:
 * `fs.ReadDir` lists the folder sorted by name, and the CLI applies the matching files in that order.
 */
export function migrationFolder(ctx: RepoContext): FolderEntry[] {
  return ctx.memo('db/migration-folder', () => folderEntries(ctx.glob(`${MIGRATIONS_DIR}/**`)));
}

/** What the CLI does with each of these root-relative paths under `migrations/` (e.g. the files at a git ref), in its order. */
export function folderEntries(paths: readonly string[]): FolderEntry[] {
  const all = paths.filter((file) => file.startsWith(`${MIGRATIONS_DIR}/`)).map((file) => ({ file, rel: file.slice(MIGRATIONS_DIR.length + 1) }));
  // The CLI lists the folder itself: a subfolder is one entry (named after the folder).
  const entry = (rel: string): string => rel.split('/')[0] as string;
  const entries = [...new Set(all.map((f) => entry(f.rel)))].sort(byName);
  const first = entries[0];
  const out: FolderEntry[] = [];
  for (const f of [...all].sort((a, b) => byName(a.rel, b.rel))) {
    if (f.rel.includes('/')) {
      out.push({ file: f.file, kind: 'nested' });
      continue;
    }
    const init = f.rel === first ? LEGACY_INIT.exec(f.rel) : null;
    if (init && Number(init[1]) < LEGACY_INIT_BEFORE) {
      out.push({ file: f.file, kind: 'legacy-init' });
      continue;
    }
    const m = MIGRATION_NAME.exec(f.rel);
    if (m) out.push({ file: f.file, kind: 'migration', version: m[1] as string, name: m[2] as string });
    else out.push({ file: f.file, kind: 'not-matching' });
  }
  return out;
}

/** The migrations the Supabase CLI applies, in its order (by file name). */
export function migrationFiles(ctx: RepoContext): MigrationFile[] {
  return ctx.memo('db/migration-files', () => migrationsOf(migrationFolder(ctx)));
}

/** The entries the CLI applies, in its order. */
export function migrationsOf(entries: readonly FolderEntry[]): MigrationFile[] {
  return entries.flatMap((e) => (e.kind === 'migration' ? [{ file: e.file, version: e.version, name: e.name }] : []));
}

/** Whether the CLI applies a file of this name found directly in the migrations folder. */
export function isMigrationName(rel: string): boolean {
  return !rel.includes('/') && MIGRATION_NAME.test(rel);
}

/** Whether a cached value has the shape of a {@link SqlParse}. */
function isSqlParse(e: unknown): e is SqlParse {
  const x = e as { ok?: unknown; statements?: unknown; message?: unknown; offset?: unknown } | null;
  if (typeof x !== 'object' || x === null) return false;
  return x.ok === true ? Array.isArray(x.statements) : x.ok === false && typeof x.message === 'string' && typeof x.offset === 'number';
}

/**
 * A text parsed with the newest grammar, from the run's parse cache when an earlier run parsed
 * the same text (the parser is then not even loaded), else by the parser.
 */
export async function parseSqlCached(ctx: RepoContext, text: string): Promise<SqlParse> {
  // gates/core/sql.ts turns the parser's output into statements: an edit to it is a new key.
  const cache = ctx.parseCache('sql', `${packageVersion('libpg-query')}\0${NEWEST_PG_MAJOR}\0${sourcesHash(['gates/core/sql.ts'])}`, isSqlParse);
  const hit = cache?.get(text);
  if (hit) return hit;
  await loadSqlParser();
  const p = parseSql(text);
  cache?.set(text, p);
  return p;
}

/** Every migration parsed once per run (the parser is loaded on first use, and only for a text the parse cache does not hold). */
export async function parsedMigrations(ctx: RepoContext): Promise<Map<string, SqlParse>> {
  return ctx.memo('db/parsed-migrations', async () => {
    const out = new Map<string, SqlParse>();
    for (const m of migrationFiles(ctx)) {
      const text = ctx.text(m.file);
      if (text !== undefined) out.set(m.file, await parseSqlCached(ctx, text));
    }
    return out;
  });
}
