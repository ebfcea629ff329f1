import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { MIGRATIONS_DIR } from '../../gates/db/migrations.ts';
import { replay } from '../../gates/db/replay.ts';

/** Every migration applies, in version order, each file as one transaction, on a fresh database. */
export default definePolicy({
  id: 'migrations/replay',
  title: 'Migrations replay cleanly on a fresh database',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`],
  async check(ctx) {
    const r = await replay(ctx);
    const f = r?.failure;
    if (!r || !f) return [];
    if (f.setup) return [{ file: f.file, line: 1, message: `${f.message} — set DATABASE_URL to a reachable server (or unset it for PGlite)`, key: 'replay:setup' }];
    const finding: PolicyFinding = {
      file: f.file,
      offset: f.offset,
      message: `migration fails on ${r.engine === 'pglite' ? 'PGlite' : 'Postgres'}: ${f.message}${f.code ? ` (SQLSTATE ${f.code})` : ''}; the file is rolled back and later migrations are not replayed — fix this statement`,
      key: `replay:${f.code ?? ''}`,
    };
    return [finding];
  },
});
