import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { bundles, evidenceKind, missingEvidence, parseTasks } from './_lib/bundle.ts';

/**
 * A bundle's tasks.md parses (phases in order, task ids unique and in order), and every task marked
 * done names evidence that exists: a path, a migration file or a policy id, in backticks.
 */
export default definePolicy({
  id: 'spec/tasks',
  title: 'tasks.md parses and every done task names evidence that exists',
  severity: 'error',
  // Evidence can be any file: deleting one breaks the task that names it.
  appliesTo: ['**'],
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const dir of bundles(ctx)) {
      const file = `${dir}/tasks.md`;
      const text = ctx.text(file);
      // spec/bundle reports a missing or unreadable tasks.md.
      if (text === undefined || text.trim() === '') continue;
      const doc = parseTasks(text);
      for (const p of doc.problems) out.push({ file, line: p.line, column: p.column, key: p.key, message: p.message });
      for (const task of doc.tasks) {
        if (!task.done) continue;
        const evidence = task.spans.flatMap((s) => {
          const kind = evidenceKind(s.text);
          return kind ? [{ ...s, kind }] : [];
        });
        if (evidence.length === 0) {
          out.push({
            file,
            line: task.line,
            column: 1,
            key: `no-evidence:${task.id}`,
            message: `task ${task.id} is marked done but names no evidence; name the file, migration or policy id that proves it, in backticks, or reopen it (- [ ])`,
          });
          continue;
        }
        for (const e of evidence) {
          const why = missingEvidence(ctx, e.text, e.kind);
          if (why === undefined) continue;
          out.push({
            file,
            line: task.line,
            column: e.column,
            endLine: task.line,
            endColumn: e.column + [...e.text].length,
            key: `evidence:${task.id}:${e.text}`,
            message: `task ${task.id} is marked done, but its evidence \`${e.text}\` is missing: ${why} — commit it, correct the reference, or reopen the task (- [ ])`,
          });
        }
      }
    }
    return out;
  },
});
