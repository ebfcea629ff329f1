import type { PolicyFinding } from '../../gates/core/finding.ts';
import { cellCode, links as mdLinks, tables, type Span } from '../../gates/core/markdown.ts';
import { resolveInRepo } from '../../gates/core/paths.ts';
import { definePolicy } from '../../gates/core/policy.ts';

const DOCS = ['docs/**/*.md', '*.md'];
/** A scheme (`https:`, `mailto:` …): the link leaves the repository and is not checked here. */
const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;
const ESCAPES = 'escapes the repository root; point at a file inside the repository, or use an absolute https:// URL';
const MISSING = 'does not resolve: {{resolved}} does not exist; fix the path or add the file';

/**
 * A relative link in the docs, or an evidence path in a table's Evidence column, names a file of
 * the repository. It must exist; a path that climbs out of the repository root is an error by
 * itself, never looked up.
 */
export default definePolicy({
  id: 'docs/links',
  title: 'Relative links and evidence paths in the docs resolve inside the repository',
  severity: 'error',
  appliesTo: ['**'],
  messages: {
    'link-escapes': `link {{target}} ${ESCAPES}`,
    'link-missing': `link {{target}} ${MISSING}`,
    'evidence-escapes': `evidence path {{target}} ${ESCAPES}`,
    'evidence-missing': `evidence path {{target}} ${MISSING}`,
  },
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const file of ctx.glob(DOCS)) {
      const text = ctx.text(file);
      if (text === undefined) continue;
      for (const link of mdLinks(text)) {
        const target = link.text;
        if (target.startsWith('#') || target.startsWith('//') || EXTERNAL.test(target)) continue;
        const bare = decode(target.replace(/[#?].*$/, ''));
        if (bare === '') continue;
        const f = check(ctx, file, file, bare, link, 'link');
        if (f) out.push(f);
      }
      for (const table of tables(text)) {
        const i = table.headers.findIndex((h) => h.toLowerCase() === 'evidence');
        if (i < 0) continue;
        for (const row of table.rows) {
          const cell = row.cells[i];
          if (!cell) continue;
          for (const span of cellCode(cell)) {
            // Evidence paths are repository-relative, whatever page names them.
            const f = check(ctx, file, '', span.text.replace(/#.*$/, ''), span, 'evidence');
            if (f) out.push(f);
          }
        }
      }
    }
    return out;
  },
});

function check(
  ctx: { exists(f: string): boolean },
  file: string,
  from: string,
  target: string,
  at: Span,
  kind: 'link' | 'evidence',
): PolicyFinding | undefined {
  const place = { file, line: at.line, column: at.column, endLine: at.line, endColumn: at.column + [...at.text].length };
  const resolved = resolveInRepo(from === '' ? 'README.md' : from, target);
  if (resolved === undefined) {
    return { ...place, messageId: `${kind}-escapes`, data: { target }, key: `escapes:${target}` };
  }
  if (resolved === '' || ctx.exists(resolved)) return undefined;
  return { ...place, messageId: `${kind}-missing`, data: { target, resolved }, key: `missing:${target}` };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
