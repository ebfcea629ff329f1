import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { MIGRATIONS_DIR, migrationFiles, parsedMigrations } from '../../gates/db/migrations.ts';

/** Every migration parses with the real Postgres parser; an error is shown where Postgres puts it. */
export default definePolicy({
  id: 'migrations/syntax',
  title: 'Migrations parse with the Postgres parser',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`],
  async check(ctx) {
    const out: PolicyFinding[] = [];
    if (migrationFiles(ctx).length === 0) return out;
    for (const m of migrationFiles(ctx)) {
      const t = ctx.read(m.file);
      if (!t.ok) {
        out.push({ file: m.file, line: t.line ?? 1, column: t.column ?? 1, message: t.message, key: t.code });
      }
    }
    for (const [file, p] of await parsedMigrations(ctx)) {
      if (!p.ok) out.push({ file, offset: p.offset, message: `Postgres syntax error: ${p.message}; the migration would fail on the database — fix the statement`, key: 'syntax' });
      else if (p.statements.length === 0) out.push({ file, line: 1, message: 'migration holds no statement; remove the file or add its SQL', key: 'empty' });
    }
    return out;
  },
});
