import type { RepoContext } from '../core/repo.ts';
import type { PgMajor } from '../core/sql.ts';

import { PLATFORM_FILE } from '../core/ssot-files.ts';

/** What the migrations run on in production, from `database:` in ssot/platform.yaml. */
export interface TargetPlatform {
  /** Postgres major of the platform (Supabase: 15 or 17). */
  postgresMajor: PgMajor;
  /** Schemas the Data API exposes: RLS lints apply to their tables. */
  exposedSchemas: string[];
  /** Extensions the platform provides (replayed for real, or as declared stubs). */
  extensions: string[];
}

export const DEFAULT_PLATFORM: TargetPlatform = {
  postgresMajor: 17,
  exposedSchemas: ['public', 'graphql_public'],
  extensions: [],
};

/** The target platform of the tree (the defaults for what ssot/platform.yaml does not say). */
export function targetPlatform(ctx: RepoContext): TargetPlatform {
  return ctx.memo('db/platform', () => {
    const db = (ctx.exists(PLATFORM_FILE) ? (ctx.data(PLATFORM_FILE) as { database?: Record<string, unknown> } | undefined) : undefined)?.database;
    const major = db?.postgres_major;
    const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined);
    return {
      postgresMajor: major === 15 || major === 17 || major === 18 ? major : DEFAULT_PLATFORM.postgresMajor,
      exposedSchemas: strings(db?.exposed_schemas) ?? DEFAULT_PLATFORM.exposedSchemas,
      extensions: strings(db?.extensions) ?? DEFAULT_PLATFORM.extensions,
    };
  });
}
