import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { loadSqlParser, scanSql } from '../../gates/core/sql.ts';
import { MIGRATIONS_DIR, migrationFiles, parsedMigrations } from '../../gates/db/migrations.ts';

/**
 * Every migration the Supabase CLI applies (any `<digits>_<name>.sql`) parses with the real
 * Postgres parser; an error is shown where Postgres puts it.
 */
export default definePolicy({
  id: 'migrations/syntax',
  title: 'Migrations parse with the Postgres parser',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`],
  messages: {
    unreadable: 'the migration cannot be read as text ({{reason}}); the Supabase CLI would fail on it — save it as UTF-8 text',
    'syntax-error': 'Postgres syntax error: {{error}}; the migration would fail on the database — fix the statement',
    empty: 'migration holds no statement; remove the file or add its SQL',
  },
  async check(ctx) {
    const out: PolicyFinding[] = [];
    if (migrationFiles(ctx).length === 0) return out;
    for (const m of migrationFiles(ctx)) {
      const t = ctx.read(m.file);
      if (!t.ok) {
        out.push({ file: m.file, line: t.line ?? 1, column: t.column ?? 1, messageId: 'unreadable', data: { reason: t.message }, key: t.code });
      }
    }
    for (const [file, p] of await parsedMigrations(ctx)) {
      if (!p.ok) {
        // Underline the token Postgres points at (the lexer still runs on text that does not parse;
        // the parser may not be loaded yet when the parse came from the cache).
        await loadSqlParser();
        const text = ctx.text(file) ?? '';
        const token = scanSql(text)?.find((t) => t.start === p.offset);
        out.push({ file, offset: p.offset, endOffset: token?.end, messageId: 'syntax-error', data: { error: p.message }, key: 'syntax' });
      }
      else if (p.statements.length === 0) out.push({ file, line: 1, messageId: 'empty', key: 'empty' });
    }
    return out;
  },
});
