import type { PolicyFinding } from '../../gates/core/finding.ts';
import { cellCode, headings, sectionLines, tables } from '../../gates/core/markdown.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { closest, DID_YOU_MEAN } from '../../gates/core/suggest.ts';
import { PARITY_CONTRACT } from './_lib/contracts.ts';

const RESTRICTIONS_SECTION = 'Restrictions modeled';
const GATE_ID = /^[a-z0-9]+(-[a-z0-9]+)*\/[a-z0-9]+(-[a-z0-9]+)*$/;
const UNKNOWN = 'the restriction names gate {{gate}}, which is not a registered policy';
const UNKNOWN_FIX = '; fix the id, or add the policy (a restriction no gate enforces is not modeled)';

/**
 * The parity contract and the registry say the same thing: every restriction names the gate that
 * enforces it and that gate exists, and every parity gate is named by a restriction. The registry
 * is `ctx.policyIds`, never the policy index itself.
 */
export default definePolicy({
  id: 'docs/parity-drift',
  title: 'The parity contract and the parity gates match, both ways',
  severity: 'error',
  appliesTo: [PARITY_CONTRACT, 'policies/**'],
  messages: {
    'missing-contract': '{{file}} is missing; it lists the Odoo.sh restrictions and the gate that enforces each',
    'no-section': 'no "## {{section}}" section; add a table (Restriction | Gate | …) naming the gate id of each restriction',
    'no-table': 'the "{{heading}}" section has no table with a Gate column; name the gate id of each restriction there',
    'no-gate': 'this restriction names no gate; put the enforcing policy id in the Gate column as `area/name`',
    'unknown-gate': `${UNKNOWN}${UNKNOWN_FIX}`,
    'unknown-gate-typo': `${UNKNOWN}${DID_YOU_MEAN}${UNKNOWN_FIX}`,
    'unlisted-gate': 'policy {{gate}} enforces a parity restriction the contract does not list; add a row naming it under "{{heading}}"',
  },
  check(ctx) {
    const registered = ctx.policyIds;
    const parity = registered.filter((id) => id.startsWith('parity/'));
    const text = ctx.text(PARITY_CONTRACT);
    if (text === undefined) {
      return [{ file: PARITY_CONTRACT, line: 1, messageId: 'missing-contract', data: { file: PARITY_CONTRACT }, key: 'missing' }];
    }
    const heading = headings(text).find((h) => h.level === 2 && h.text.toLowerCase().startsWith(RESTRICTIONS_SECTION.toLowerCase()));
    if (!heading) {
      return [{ file: PARITY_CONTRACT, line: 1, messageId: 'no-section', data: { section: RESTRICTIONS_SECTION }, key: 'no-section' }];
    }
    const out: PolicyFinding[] = [];
    const body = new Set(sectionLines(text, heading).map((l) => l.line));
    const named = new Set<string>();
    const rows = tables(text)
      .filter((t) => body.has(t.line))
      .flatMap((t) => {
        const gate = t.headers.findIndex((h) => h.toLowerCase() === 'gate');
        return gate < 0 ? [] : t.rows.map((r) => ({ row: r, cell: r.cells[gate] }));
      });
    if (rows.length === 0) {
      out.push({ file: PARITY_CONTRACT, line: heading.line, messageId: 'no-table', data: { heading: heading.text }, key: 'no-table' });
    }
    for (const { row, cell } of rows) {
      const ids = cell ? cellCode(cell).filter((s) => GATE_ID.test(s.text)) : [];
      if (ids.length === 0) {
        out.push({ file: PARITY_CONTRACT, line: row.line, column: cell?.column ?? 1, messageId: 'no-gate', key: `no-gate:${row.cells[0]?.text ?? ''}` });
      }
      for (const s of ids) {
        named.add(s.text);
        if (registered.includes(s.text)) continue;
        const suggestion = closest(s.text, registered);
        out.push({
          file: PARITY_CONTRACT,
          line: s.line,
          column: s.column,
          endLine: s.line,
          endColumn: s.column + [...s.text].length,
          ...(suggestion ? { messageId: 'unknown-gate-typo', data: { gate: s.text, suggestion } } : { messageId: 'unknown-gate', data: { gate: s.text } }),
          key: `unknown:${s.text}`,
        });
      }
    }
    for (const id of parity) {
      if (!named.has(id)) {
        out.push({ file: PARITY_CONTRACT, line: heading.line, messageId: 'unlisted-gate', data: { gate: id, heading: heading.text }, key: `unlisted:${id}` });
      }
    }
    return out;
  },
});
