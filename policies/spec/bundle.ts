import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { bundles, REQUIRED_FILES } from './_lib/bundle.ts';

/**
 * Each Spec Kit bundle under spec/ is complete: spec.md, plan.md and tasks.md exist, and no text
 * file of the bundle (research.md, data-model.md, quickstart.md, contracts/ …) is empty.
 */
export default definePolicy({
  id: 'spec/bundle',
  title: 'Spec bundles hold spec.md, plan.md and tasks.md, none empty',
  severity: 'error',
  appliesTo: ['spec/**'],
  messages: {
    'missing-part': `the spec bundle {{bundle}}/ has no {{name}}; Spec Kit bundles hold ${REQUIRED_FILES.join(', ')} — write it`,
    unreadable: '{{reason}}; a spec bundle holds text',
    empty: '{{file}} is empty; write its content or remove it from the bundle',
  },
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const dir of bundles(ctx)) {
      for (const name of REQUIRED_FILES) {
        const file = `${dir}/${name}`;
        if (!ctx.exists(file)) {
          out.push({ file, line: 1, key: 'missing', messageId: 'missing-part', data: { bundle: dir, name } });
        }
      }
      // Diagrams and other binary attachments may sit in a bundle; its text files must hold text.
      for (const file of ctx.glob(`${dir}/**/*.{md,markdown,yaml,yml,json,txt}`)) {
        const t = ctx.read(file);
        if (!t.ok) {
          out.push({ file, line: t.line ?? 1, column: t.column ?? 1, key: t.code, messageId: 'unreadable', data: { reason: t.message } });
        } else if (t.text.trim() === '') {
          out.push({ file, line: 1, key: 'empty', messageId: 'empty', data: { file } });
        }
      }
    }
    return out;
  },
});
