import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { loadSqlParser, scanSql, type SqlStatement } from '../../gates/core/sql.ts';
import { baselineSql } from '../../gates/db/engine.ts';
import { MIGRATIONS_DIR, migrationFiles, parsedMigrations, parseSqlCached } from '../../gates/db/migrations.ts';
import type { RepoContext } from '../../gates/core/repo.ts';
import { addBaseline, justifications, LINT_MESSAGES, LintState, lintStatement, longIdentifiers, toFindings } from './_lib/lint-rules.ts';

/**
 * True when some word or quoted name of the text is over 63 bytes (only then can an identifier
 * be). A word is only tried from its start, and only one of 16 code points or more can be over
 * 63 bytes; one UTF-16 unit is at most 3 bytes, so a shorter match is not even measured.
 */
function hasLongWord(text: string): boolean {
  for (const m of text.matchAll(/(?<![\p{L}\p{N}_$])[\p{L}\p{N}_$]{16,}|"(?:[^"]|"")*"/gu)) if (m[0].length > 21 && Buffer.byteLength(m[0]) > 63) return true;
  return false;
}

/** The statements of the platform baseline (parsed once per run; empty if it cannot be read). */
async function baselineStatements(ctx: RepoContext): Promise<SqlStatement[]> {
  return ctx.memo('migrations/lint-baseline', async () => {
    let text = '';
    try {
      text = baselineSql();
    } catch {
      text = '';
    }
    const p = await parseSqlCached(ctx, text);
    return p.ok ? p.statements : [];
  });
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
    addBaseline(state, await baselineStatements(ctx));
    for (const m of files) {
      const p = parsed.get(m.file);
      const text = ctx.text(m.file);
      if (!p?.ok || text === undefined) continue;
      const isNew = !onBase.has(m.file);
      state.startFile(isNew);
      const hits = p.statements.flatMap((s) => lintStatement(s, state));
      if (!isNew) continue;
      // The lexer pass is only needed for justifications or an identifier long enough to matter
      // (the parser may not be loaded yet: every parse came from the cache).
      const scan = text.includes('lint-allow') || hasLongWord(text);
      if (scan) await loadSqlParser();
      const tokens = scan ? (scanSql(text) ?? []) : [];
      hits.push(...longIdentifiers(tokens));
      out.push(...toFindings(m.file, hits, p.statements, justifications(tokens)));
    }
    return out;
  },
});
