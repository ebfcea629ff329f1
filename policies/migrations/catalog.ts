import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { MIGRATIONS_DIR } from '../../gates/db/migrations.ts';
import { replay } from '../../gates/db/replay.ts';

/**
 * Catalog lints after the replay (ideas from Supabase's splinter), each at the statement that
 * created the object: RLS off or without policy, no primary key, unindexed foreign keys, duplicate
 * indexes, mutable search_path, views that bypass RLS.
 */
export default definePolicy({
  id: 'migrations/catalog',
  title: 'Replayed schema passes the catalog lints',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`],
  async check(ctx) {
    const r = await replay(ctx);
    if (!r || r.failure) return [];
    return r.lints.map(
      (l): PolicyFinding => ({
        file: l.file,
        offset: l.offset,
        message: `${l.rule}: ${l.message}`,
        severity: l.rule === 'duplicate-index' || l.rule === 'fk-no-index' ? 'warning' : 'error',
        key: `${l.rule}:${l.object}`,
      }),
    );
  },
});
