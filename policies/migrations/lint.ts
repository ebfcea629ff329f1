import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { scanSql } from '../../gates/core/sql.ts';
import { commitExists, filesAt } from '../../gates/db/history.ts';
import { MIGRATIONS_DIR, migrationFiles, parsedMigrations } from '../../gates/db/migrations.ts';
import { justifications, lintStatement, longIdentifiers, toFindings, type TableState } from './_lib/lint-rules.ts';

/** True when some word or quoted name of the text is over 63 bytes (only then can an identifier be). */
function hasLongWord(text: string): boolean {
  for (const m of text.matchAll(/[\p{L}\p{N}_$]{16,}|"(?:[^"]|"")*"/gu)) if (Buffer.byteLength(m[0]) > 63) return true;
  return false;
}

/**
 * Squawk/Atlas-like lint of the migrations this change adds (all of them without `--base`).
 * Tables created earlier in the same change are new, so dropping, renaming or indexing them is fine.
 */
export default definePolicy({
  id: 'migrations/lint',
  title: 'New migrations avoid destructive, locking and error-prone statements',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`],
  async check(ctx) {
    const out: PolicyFinding[] = [];
    const files = migrationFiles(ctx);
    if (files.length === 0) return out;
    const base = ctx.options.base;
    const onBase = new Set(base !== undefined && commitExists(ctx.root, base) ? filesAt(ctx.root, base, MIGRATIONS_DIR) : []);
    const parsed = await parsedMigrations(ctx);
    const state: TableState = { createdInChange: new Set() };
    for (const m of files) {
      const p = parsed.get(m.file);
      const text = ctx.text(m.file);
      if (!p?.ok || text === undefined || onBase.has(m.file)) continue;
      const hits = p.statements.flatMap((s) => lintStatement(s, state));
      // The lexer pass is only needed for justifications or an identifier long enough to matter.
      const tokens = text.includes('lint-allow') || hasLongWord(text) ? (scanSql(text) ?? []) : [];
      hits.push(...longIdentifiers(tokens));
      out.push(...toFindings(m.file, hits, p.statements, justifications(tokens)));
    }
    return out;
  },
});
