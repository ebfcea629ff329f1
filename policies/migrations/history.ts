import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { commitExists, describeChange, filesAt } from '../../gates/db/history.ts';
import { MIGRATION_NAME, MIGRATIONS_DIR, migrationFiles } from '../../gates/db/migrations.ts';

/**
 * Applied migrations are history: against the pull request's base (`--base`), a migration of the
 * base must not be edited, deleted or renamed, and a new one must sort after the newest on the base.
 */
export default definePolicy({
  id: 'migrations/history',
  title: 'Migrations on the base are not edited, deleted or renamed; new ones come last',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/**`],
  async check(ctx) {
    const out: PolicyFinding[] = [];
    const base = ctx.options.base;
    const head = migrationFiles(ctx);
    if (base === undefined || head.length === 0) return out;
    if (!commitExists(ctx.root, base)) {
      out.push({ file: head[0]?.file ?? MIGRATIONS_DIR, line: 1, message: `--base ${base} is not a commit of this repository, so migration history cannot be checked; fetch the base branch (e.g. \`git fetch origin main\`) or pass an existing ref`, key: 'base' });
      return out;
    }
    const baseFiles = filesAt(ctx.root, base, MIGRATIONS_DIR).filter((f) => MIGRATION_NAME.test(f.slice(MIGRATIONS_DIR.length + 1)));
    const headSet = new Set(head.map((m) => m.file));
    const baseSet = new Set(baseFiles);
    const renamedTo = new Set<string>();
    const baseText = new Map(baseFiles.map((f) => [f, ctx.gitShow(base, f) ?? '']));
    for (const f of baseFiles) {
      const before = baseText.get(f) ?? '';
      if (!headSet.has(f)) {
        const renamed = head.find((m) => !baseSet.has(m.file) && ctx.text(m.file) === before);
        if (renamed) {
          renamedTo.add(renamed.file);
          out.push({ file: renamed.file, line: 1, message: `this migration is ${f} of the base renamed; its version is recorded as applied on the databases, so the renamed file would run again — restore the old name`, key: 'renamed' });
        } else {
          out.push({ file: f, line: 1, message: `migration ${f} exists on the base (${base}) but was deleted; applied migrations are history — restore it and undo its effect in a new migration`, key: 'deleted' });
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
          message: `migration exists on the base (${base}) and was edited (${change.summary}); databases that applied it will never see the change — restore it and put the change in a new migration`,
          key: 'edited',
          data: { diff: change.patch },
        });
      }
    }
    const newest = baseFiles.map((f) => f.slice(MIGRATIONS_DIR.length + 1, MIGRATIONS_DIR.length + 15)).sort().at(-1);
    if (newest !== undefined) {
      for (const m of head) {
        if (baseSet.has(m.file) || m.version > newest) continue;
        if (renamedTo.has(m.file)) continue;
        out.push({ file: m.file, line: 1, message: `new migration version ${m.version} sorts before ${newest}, the newest migration on the base; the remote database has already applied ${newest} and would refuse it — rename it with a timestamp after ${newest}`, key: 'out-of-order' });
      }
    }
    return out;
  },
});
