import type { PolicyFinding } from '../../gates/core/finding.ts';
import { headings } from '../../gates/core/markdown.ts';
import { definePolicy } from '../../gates/core/policy.ts';

const RUNBOOK_DIR = 'docs/ops/runbooks';

/**
 * The runbooks an operator needs and the sections each must have (level-2 headings, matched by
 * prefix). The Concurrency section of staging-branches.md is parity/nonprod-concurrency's.
 */
const REQUIRED_RUNBOOKS: Readonly<Record<string, readonly string[]>> = {
  'mail-catcher.md': ['When to use', 'How mail reaches the catcher', 'Find a message', 'Troubleshooting'],
  'staging-branches.md': ['Lifecycle', 'Data policy', 'Troubleshooting'],
  'web-shell.md': ['When to use', 'Open a shell', 'Safety rules', 'Troubleshooting'],
};

/** Required runbooks exist, with each required section present and not empty. */
export default definePolicy({
  id: 'docs/runbooks',
  title: 'Required runbooks exist with their required sections',
  severity: 'error',
  appliesTo: [`${RUNBOOK_DIR}/**`],
  messages: {
    'missing-runbook': 'runbook {{file}} is missing; write it with the sections {{sections}}',
    'missing-section': 'the runbook has no "## {{section}}" section; add it',
    'empty-section': 'the "## {{heading}}" section is empty; write what an operator needs there',
  },
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const [name, sections] of Object.entries(REQUIRED_RUNBOOKS)) {
      const file = `${RUNBOOK_DIR}/${name}`;
      if (!ctx.exists(file)) {
        out.push({ file, line: 1, messageId: 'missing-runbook', data: { file, sections: sections.map((s) => `"## ${s}"`).join(', ') }, key: 'missing' });
        continue;
      }
      const text = ctx.text(file);
      if (text === undefined) continue;
      const h2 = headings(text).filter((h) => h.level === 2);
      for (const s of sections) {
        const h = h2.find((x) => x.text.toLowerCase().startsWith(s.toLowerCase()));
        if (!h) {
          out.push({ file, line: 1, messageId: 'missing-section', data: { section: s }, key: `section:${s}` });
        } else if (isEmpty(text, h.line)) {
          out.push({ file, line: h.line, messageId: 'empty-section', data: { heading: h.text }, key: `empty:${s}` });
        }
      }
    }
    return out;
  },
});

/** True when nothing but blank lines stands between the level-2 heading and the next heading of level 1 or 2. */
function isEmpty(text: string, line: number): boolean {
  const next = headings(text).find((h) => h.line > line && h.level <= 2);
  const lines = text.split(/\r?\n/).slice(line, next ? next.line - 1 : undefined);
  return lines.every((l) => l.trim() === '');
}
