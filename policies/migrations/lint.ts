import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { parseSql, scanSql, type SqlStatement } from '../../gates/core/sql.ts';
import { baselineSql } from '../../gates/db/engine.ts';
import { MIGRATIONS_DIR, migrationFiles, parsedMigrations } from '../../gates/db/migrations.ts';
import { addBaseline, justifications, LINT_MESSAGES, LintState, lintStatement, longIdentifiers, toFindings } from './_lib/lint-rules.ts';

/** True when some word or quoted name of the text is over 63 bytes (only then can an identifier be). */
function hasLongWord(text: string): boolean {
  for (const m of text.matchAll(/[\p{L}\p{N}_$]{16,}|"(?:[^"]|"")*"/gu)) if (Buffer.byteLength(m[0]) > 63) return true;
  return false;
}

let baseline: SqlStatement[] | undefined;
/** The statements of the platform baseline (parsed once per process; empty if it cannot be read). */
function baselineStatements(): SqlStatement[] {
  if (baseline) return baseline;
  let text = '';
  try {
    text = baselineSql();
  } catch {
    text = '';
  }
  const p = parseSql(text);
  baseline = p.ok ? p.statements : [];
  return baseline;
}

/**
 * Squawk-like lint of the migrations this change adds (all of them without `--base`). The whole
 * history is read in order so the lint knows every relation: tables created earlier in the same
 * change are new (nobody reads or locks them), and an unqualified name is resolved where it lives.
 */
export default definePolicy({
  id: 'migrations/lint',
  title: 'New migrations avoid destructive, locking and error-prone statements',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`],
  messages: LINT_MESSAGES,
  async check(ctx) {
    const out: PolicyFinding[] = [];
    const files = migrationFiles(ctx);
    if (files.length === 0) return out;
    const base = ctx.options.base;
    const onBase = new Set(base !== undefined && ctx.git.commitExists(base) ? ctx.git.filesAt(base, MIGRATIONS_DIR) : []);
    const parsed = await parsedMigrations(ctx);
    const state = new LintState();
    addBaseline(state, baselineStatements());
    for (const m of files) {
      const p = parsed.get(m.file);
      const text = ctx.text(m.file);
      if (!p?.ok || text === undefined) continue;
      const isNew = !onBase.has(m.file);
      state.startFile(isNew);
      const hits = p.statements.flatMap((s) => lintStatement(s, state));
      if (!isNew) continue;
      // The lexer pass is only needed for justifications or an identifier long enough to matter.
      const tokens = text.includes('lint-allow') || hasLongWord(text) ? (scanSql(text) ?? []) : [];
      hits.push(...longIdentifiers(tokens));
      out.push(...toFindings(m.file, hits, p.statements, justifications(tokens)));
    }
    return out;
  },
});
