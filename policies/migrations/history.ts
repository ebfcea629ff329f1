import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { describeChange } from '../../gates/db/history.ts';
import { isMigrationName, MIGRATION_NAME, MIGRATIONS_DIR, migrationFiles } from '../../gates/db/migrations.ts';

const versionOf = (file: string): string => MIGRATION_NAME.exec(file.slice(MIGRATIONS_DIR.length + 1))?.[1] ?? '';

/**
 * Applied migrations are history: against the pull request's base (`--base`), a migration of the
 * base must not be edited, deleted or renamed, and a new one must sort after the newest on the base.
 */
export default definePolicy({
  id: 'migrations/history',
  title: 'Migrations on the base are not edited, deleted or renamed; new ones come last',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/**`],
  messages: {
    'base-missing':
      '--base {{base}} is not a commit of this repository, so migration history cannot be checked; fetch the base branch (e.g. `git fetch origin main`) or pass an existing ref',
    renamed:
      'this migration is {{was}} of the base renamed; its version is recorded as applied on the databases, so the renamed file would run again — restore the old name',
    deleted:
      'migration {{file}} exists on the base ({{base}}) but was deleted; applied migrations are history — restore it and undo its effect in a new migration',
    edited:
      'migration exists on the base ({{base}}) and was edited ({{summary}}); databases that applied it will never see the change — restore it and put the change in a new migration',
    'out-of-order':
      'new migration version {{version}} sorts before {{newest}}, the newest migration on the base; the remote database has already applied {{newest}} and `supabase db push` refuses an older one — rename it with a timestamp after {{newest}}',
  },
  async check(ctx) {
    const out: PolicyFinding[] = [];
    const base = ctx.options.base;
    const head = migrationFiles(ctx);
    if (base === undefined || head.length === 0) return out;
    if (!ctx.git.commitExists(base)) {
      out.push({ file: head[0]?.file ?? MIGRATIONS_DIR, line: 1, messageId: 'base-missing', data: { base }, key: 'base' });
      return out;
    }
    const baseFiles = ctx.git.filesAt(base, MIGRATIONS_DIR).filter((f) => isMigrationName(f.slice(MIGRATIONS_DIR.length + 1)));
    const headSet = new Set(head.map((m) => m.file));
    const baseSet = new Set(baseFiles);
    const renamedTo = new Set<string>();
    const baseText = ctx.git.showMany(base, baseFiles);
    for (const f of baseFiles) {
      const before = baseText.get(f) ?? '';
      if (!headSet.has(f)) {
        const renamed = head.find((m) => !baseSet.has(m.file) && ctx.text(m.file) === before);
        if (renamed) {
          renamedTo.add(renamed.file);
          out.push({ file: renamed.file, line: 1, messageId: 'renamed', data: { was: f }, key: 'renamed' });
        } else {
          out.push({ file: f, line: 1, messageId: 'deleted', data: { file: f, base }, key: 'deleted' });
        }
        continue;
      }
      const after = ctx.text(f);
      if (after === undefined) continue;
      const change = await describeChange(f, before, after);
      if (change) {
        out.push({
          file: f,
          line: change.firstLine,
          messageId: 'edited',
          key: 'edited',
          data: { base, summary: change.summary, diff: change.patch },
        });
      }
    }
    // The CLI compares versions as strings (FindPendingMigrations in supabase/cli pkg/migration/apply.go).
    const newest = baseFiles.map(versionOf).sort().at(-1);
    if (newest !== undefined) {
      for (const m of head) {
        if (baseSet.has(m.file) || m.version > newest) continue;
        if (renamedTo.has(m.file)) continue;
        out.push({ file: m.file, line: 1, messageId: 'out-of-order', data: { version: m.version, newest }, key: 'out-of-order' });
      }
    }
    return out;
  },
});
