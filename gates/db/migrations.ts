import type { RepoContext } from '../core/repo.ts';
import { loadSqlParser, parseSql, type SqlParse } from '../core/sql.ts';

/** Where Supabase-style migrations live. */
export const MIGRATIONS_DIR = 'migrations';
/** `<14-digit UTC timestamp>_<snake_case name>.sql`, directly in `migrations/`. */
export const MIGRATION_NAME = /^(\d{14})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;

export interface MigrationFile {
  /** Repo-relative path, `migrations/<version>_<name>.sql`. */
  file: string;
  version: string;
  name: string;
}

/** The well-named migrations of the tree, in version order (ties by path). */
export function migrationFiles(ctx: RepoContext): MigrationFile[] {
  return ctx.memo('db/migration-files', () => {
    const out: MigrationFile[] = [];
    for (const file of ctx.glob(`${MIGRATIONS_DIR}/*.sql`)) {
      const m = MIGRATION_NAME.exec(file.slice(MIGRATIONS_DIR.length + 1));
      if (m) out.push({ file, version: m[1] as string, name: m[2] as string });
    }
    return out.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : a.file < b.file ? -1 : 1));
  });
}

/** Every migration parsed once per run (the parser is loaded on first use). */
export async function parsedMigrations(ctx: RepoContext): Promise<Map<string, SqlParse>> {
  return ctx.memo('db/parsed-migrations', async () => {
    const out = new Map<string, SqlParse>();
    const files = migrationFiles(ctx);
    if (files.length === 0) return out;
    await loadSqlParser();
    for (const m of files) {
      const text = ctx.text(m.file);
      if (text !== undefined) out.set(m.file, parseSql(text));
    }
    return out;
  });
}
