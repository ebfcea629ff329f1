import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { bundles, evidenceKind, missingEvidence, parseTasks, TASKS_MESSAGES } from './_lib/bundle.ts';

const REOPEN = 'commit it, correct the reference, or reopen the task (- [ ])';

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
  messages: {
    ...TASKS_MESSAGES,
    'no-evidence':
      'task {{task}} is marked done but names no evidence; name the file, migration or policy id that proves it, in backticks, or reopen it (- [ ])',
    'missing-migration': `task {{task}} is marked done, but its evidence \`{{evidence}}\` is missing: no migration file {{name}} exists (under migrations/) — ${REOPEN}`,
    'missing-policy-or-path': `task {{task}} is marked done, but its evidence \`{{evidence}}\` is missing: neither a policy {{name}} (policies/{{name}}.ts) nor a path {{name}} exists — ${REOPEN}`,
    'missing-path': `task {{task}} is marked done, but its evidence \`{{evidence}}\` is missing: {{name}} does not exist — ${REOPEN}`,
  },
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const dir of bundles(ctx)) {
      const file = `${dir}/tasks.md`;
      const text = ctx.text(file);
      // spec/bundle reports a missing or unreadable tasks.md.
      if (text === undefined || text.trim() === '') continue;
      const doc = parseTasks(text);
      for (const p of doc.problems) {
        out.push({
          file,
          line: p.line,
          column: p.column,
          ...(p.endColumn !== undefined ? { endLine: p.line, endColumn: p.endColumn } : {}),
          key: p.key,
          messageId: p.messageId,
          ...(p.data ? { data: p.data } : {}),
        });
      }
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
            messageId: 'no-evidence',
            data: { task: task.id },
          });
          continue;
        }
        for (const e of evidence) {
          const name = missingEvidence(ctx, e.text, e.kind);
          if (name === undefined) continue;
          out.push({
            file,
            line: task.line,
            column: e.column,
            endLine: task.line,
            endColumn: e.column + [...e.text].length,
            key: `evidence:${task.id}:${e.text}`,
            messageId: `missing-${e.kind}`,
            data: { task: task.id, evidence: e.text, name },
          });
        }
      }
    }
    return out;
  },
});
