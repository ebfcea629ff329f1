import type { PolicyFinding } from '../../gates/core/finding.ts';
import { tables, type Span } from '../../gates/core/markdown.ts';
import { resolveInRepo } from '../../gates/core/paths.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { CONTRACTS_DIR, CONTRACTS_INDEX, CONTRACT_ID, CONTRACT_KEYS, CONTRACT_STATUSES, contracts } from './_lib/contracts.ts';

/** The contracts the platform cannot do without (DigitalOcean API, Odoo.sh parity, mail catcher). */
const REQUIRED_CONTRACTS = ['C-DO-01', 'C-MAIL-01', 'C-ODOOS-01'] as const;

/**
 * Each contract carries its id, title, status and owner in front matter, and the index
 * docs/contracts/README.md lists exactly the contracts there are, with the same header values.
 */
export default definePolicy({
  id: 'docs/contracts',
  title: 'The contracts index and the contract files agree, and every contract has its header',
  severity: 'error',
  appliesTo: [`${CONTRACTS_DIR}/**`],
  messages: {
    'no-header': `no front matter; start the contract with ---, ${CONTRACT_KEYS.map((k) => `${k}:`).join(' ')} and ---`,
    'no-key': `the header has no {{key}}; every contract carries ${CONTRACT_KEYS.join(', ')}`,
    'bad-status': `status {{status}} is not one of ${CONTRACT_STATUSES.join(', ')}`,
    'bad-id': 'id {{id}} is not of the form C-AREA-NN (e.g. C-MAIL-01)',
    'id-file': 'id {{id}} does not match the file name; name the file {{id}}-<topic>.md or fix the id',
    'duplicate-id': 'id {{id}} is also the id of {{others}}; ids are unique',
    'no-index': `${CONTRACTS_INDEX} is missing; add an index table (ID | Title | Status | Owner) listing every contract`,
    'no-table': 'no index table; add one whose columns are ID | Title | Status | Owner',
    'id-not-link': 'the ID cell must be a link to the contract, e.g. [C-MAIL-01](C-MAIL-01-mail-catcher.md)',
    'unknown-contract': `{{id}} is listed, but no contract in ${CONTRACTS_DIR}/ carries that id; add the contract or remove the row`,
    'wrong-target': '{{id}} links to {{target}}, but the contract with that id is {{file}}',
    'cell-differs': '{{column}} of {{id}} is "{{cell}}" here but "{{header}}" in {{file}}; make them agree',
    unlisted: `{{id}} is not listed in ${CONTRACTS_INDEX}; add a row for it`,
    'required-missing': `required contract {{id}} does not exist; add it under ${CONTRACTS_DIR}/`,
  },
  check(ctx) {
    const out: PolicyFinding[] = [];
    const all = contracts(ctx);
    const byId = new Map<string, Array<(typeof all)[number]>>();
    for (const c of all) {
      if (!c.header) {
        out.push({ file: c.file, line: 1, messageId: 'no-header', key: 'no-header' });
        continue;
      }
      const h = c.header;
      for (const k of CONTRACT_KEYS) {
        const v = h.data[k];
        if (typeof v !== 'string' || v.trim() === '') {
          out.push({ file: c.file, line: h.keyLines[k] ?? 1, messageId: 'no-key', data: { key: k }, key: `no-${k}` });
        }
      }
      const status = h.data.status;
      if (typeof status === 'string' && status !== '' && !(CONTRACT_STATUSES as readonly string[]).includes(status)) {
        out.push({ file: c.file, line: h.keyLines.status ?? 1, messageId: 'bad-status', data: { status }, key: 'bad-status' });
      }
      if (!c.id) continue;
      const base = c.file.slice(CONTRACTS_DIR.length + 1);
      if (!CONTRACT_ID.test(c.id)) {
        out.push({ file: c.file, line: h.keyLines.id ?? 1, messageId: 'bad-id', data: { id: c.id }, key: 'bad-id' });
      } else if (base !== `${c.id}.md` && !base.startsWith(`${c.id}-`)) {
        out.push({ file: c.file, line: h.keyLines.id ?? 1, messageId: 'id-file', data: { id: c.id }, key: 'id-file' });
      }
      byId.set(c.id, [...(byId.get(c.id) ?? []), c]);
    }
    for (const [id, same] of byId) {
      for (const c of same.length > 1 ? same : []) {
        const others = same.filter((o) => o !== c).map((o) => o.file);
        out.push({ file: c.file, line: c.header?.keyLines.id ?? 1, messageId: 'duplicate-id', data: { id, others: others.join(', ') }, key: 'dup-id' });
      }
    }

    const text = ctx.text(CONTRACTS_INDEX);
    if (text === undefined) return [...out, { file: CONTRACTS_INDEX, line: 1, messageId: 'no-index', key: 'no-index' }];
    const listed = new Set<string>();
    const table = tables(text).find((t) => t.headers[0]?.toLowerCase() === 'id');
    if (!table) out.push({ file: CONTRACTS_INDEX, line: 1, messageId: 'no-table', key: 'no-table' });
    const col = (name: string) => table?.headers.findIndex((x) => x.toLowerCase() === name) ?? -1;
    for (const row of table?.rows ?? []) {
      const first = row.cells[0];
      const m = first ? /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(first.text) : null;
      if (!first || !m?.[1] || !m[2]) {
        out.push({ ...(first ? atCell(first) : { file: CONTRACTS_INDEX, line: row.line }), messageId: 'id-not-link', key: `row:${first?.text ?? ''}` });
        continue;
      }
      const id = m[1];
      listed.add(id);
      const target = resolveInRepo(CONTRACTS_INDEX, m[2].replace(/#.*$/, ''));
      const same = byId.get(id) ?? [];
      const c = same.find((x) => x.file === target) ?? same[0];
      if (!c) {
        out.push({ ...atCell(first), messageId: 'unknown-contract', data: { id }, key: `unknown:${id}` });
        continue;
      }
      if (target !== c.file) {
        out.push({ ...atCell(first), messageId: 'wrong-target', data: { id, target: m[2], file: c.file }, key: `target:${id}` });
      }
      for (const k of ['title', 'status', 'owner'] as const) {
        const i = col(k);
        const cell = i >= 0 ? row.cells[i] : undefined;
        const want = c.header?.data[k];
        if (cell && typeof want === 'string' && cell.text !== want) {
          out.push({ ...atCell(cell), messageId: 'cell-differs', data: { column: k, id, cell: cell.text, header: want, file: c.file }, key: `${k}:${id}` });
        }
      }
    }
    for (const c of all) {
      if (c.id && !listed.has(c.id)) {
        out.push({ file: c.file, line: c.header?.keyLines.id ?? 1, messageId: 'unlisted', data: { id: c.id }, key: 'unlisted' });
      }
    }
    for (const id of REQUIRED_CONTRACTS) {
      if (!byId.has(id)) out.push({ file: CONTRACTS_INDEX, line: 1, messageId: 'required-missing', data: { id }, key: `required:${id}` });
    }
    return out;
  },
});

/** The exact span of a cell of the index table. */
function atCell(cell: Span): Pick<PolicyFinding, 'file' | 'line' | 'column' | 'endLine' | 'endColumn'> {
  return { file: CONTRACTS_INDEX, line: cell.line, column: cell.column, endLine: cell.line, endColumn: cell.column + [...cell.text].length };
}
