import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { qualifiedName, type SqlParse, type SqlStatement } from '../../gates/core/sql.ts';
import { MIGRATIONS_DIR, parsedMigrations } from '../../gates/db/migrations.ts';
import { completeReplay, SEEDED_ROW_LIMIT, type ReplayResult } from '../../gates/db/replay.ts';

/** Which SSOT list each seeded table mirrors, by which key, with which columns. */
const SEEDS = [
  { ssot: 'ssot/integrations/catalog.yaml', list: 'integrations', table: 'ops.integrations_catalog', key: 'slug', columns: ['name', 'category', 'provider', 'status', 'baseline'] },
  { ssot: 'ssot/capabilities.yaml', list: 'capabilities', table: 'ops.capabilities', key: 'id', columns: ['title', 'maturity', 'data_source', 'baseline_allowed'] },
] as const;

/** The rows the migrations seed into the catalogs equal the SSOT lists (skipped when the SSOT file is absent). */
export default definePolicy({
  id: 'migrations/seeds',
  title: 'Seeded catalog rows equal the SSOT',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`, ...SEEDS.map((s) => s.ssot)],
  messages: {
    'missing-table': 'no migration creates {{table}}, which must hold the {{count}} rows of this list; create and seed it in a migration',
    'missing-row': '{{key}} {{id}} has no row in {{table}} after the replay; seed it in a migration (insert into {{table}} ...)',
    'value-differs': '{{table}} row {{id}} has {{column}} {{actual}}, but this file says {{expected}}; make the migration seed the same value (in a new migration)',
    'too-many-rows': '{{table}} holds more than {{limit}} rows after the replay, so its seeds were not compared with this list; seed a catalog in migrations, and bulk data elsewhere',
    'extra-row': '{{table}} holds row {{id}}, which {{ssot}} does not list; add it to the SSOT or delete the row in a migration',
  },
  async check(ctx) {
    const out: PolicyFinding[] = [];
    const present = SEEDS.filter((s) => ctx.exists(s.ssot));
    if (present.length === 0) return out;
    const r = await completeReplay(ctx);
    if (!r) return out;
    if ('skipped' in r) return skip(r.skipped);
    const parsed = await parsedMigrations(ctx);
    for (const s of present) {
      const entries = (ctx.data(s.ssot) as Record<string, unknown> | undefined)?.[s.list];
      if (!Array.isArray(entries)) continue;
      if (r.rowsOmitted.includes(s.table)) {
        out.push({
          file: s.ssot,
          pointer: `/${s.list}`,
          at: 'key',
          severity: 'warning',
          messageId: 'too-many-rows',
          data: { table: s.table, limit: SEEDED_ROW_LIMIT },
          key: `rows:${s.table}`,
        });
        continue;
      }
      // A table no migration seeds holds no rows.
      const rows = r.rows.get(s.table) ?? (r.columns.has(s.table) ? [] : undefined);
      if (!rows) {
        out.push({ file: s.ssot, pointer: `/${s.list}`, at: 'key', messageId: 'missing-table', data: { table: s.table, count: entries.length }, key: `table:${s.table}` });
        continue;
      }
      const byKey = new Map(rows.map((row) => [String(row[s.key]), row]));
      const listed = new Set<string>();
      entries.forEach((e, i) => {
        const entry = (e ?? {}) as Record<string, unknown>;
        const id = String(entry[s.key]);
        listed.add(id);
        const row = byKey.get(id);
        if (!row) {
          out.push({ file: s.ssot, pointer: `/${s.list}/${i}/${s.key}`, messageId: 'missing-row', data: { key: s.key, id, table: s.table }, key: `missing:${id}` });
          return;
        }
        for (const c of s.columns) {
          if (entry[c] !== undefined && entry[c] !== row[c]) {
            out.push({ file: s.ssot, pointer: `/${s.list}/${i}/${c}`, messageId: 'value-differs', data: { table: s.table, id, column: c, actual: JSON.stringify(row[c]), expected: JSON.stringify(entry[c]) }, key: `differs:${id}.${c}` });
          }
        }
      });
      for (const id of [...byKey.keys()].sort()) {
        if (!listed.has(id)) out.push(extraRow(r, parsed, s.table, s.key, s.ssot, id));
      }
    }
    return out;
  },
});

/**
 * Where the row keyed `id` was seeded: the key's literal in the `insert ... values` tuple that
 * holds it; else the first INSERT into `table` that is not a plain list of values (`insert ...
 * select`, a DO block or a function that inserts into it, which may have made it), else the first
 * INSERT into it, else the statement that created the table.
 */
function seedOrigin(
  r: ReplayResult,
  parsed: Map<string, SqlParse>,
  table: string,
  key: string,
  id: string,
): { file: string; offset: number; endOffset?: number } | undefined {
  const [schema, name] = table.split('.');
  let first: { file: string; offset: number; endOffset: number } | undefined;
  let computed: { file: string; offset: number; endOffset: number } | undefined;
  for (const [file, p] of parsed) {
    if (!p.ok) continue;
    for (const st of p.statements) {
      if ((st.kind === 'DoStmt' || st.kind === 'CreateFunctionStmt') && insertsInto(st.text, schema, name)) {
        computed ??= { file, offset: st.offset, endOffset: st.end };
        continue;
      }
      const rel = qualifiedName(st.node.relation);
      if (st.kind !== 'InsertStmt' || rel === undefined || rel.name !== name || rel.schema !== schema) continue;
      first ??= { file, offset: st.offset, endOffset: st.end };
      if (!Array.isArray((st.node.selectStmt as { SelectStmt?: { valuesLists?: unknown } } | undefined)?.SelectStmt?.valuesLists)) {
        computed ??= { file, offset: st.offset, endOffset: st.end };
      }
      const literal = keyLiteral(st, [...(r.columns.get(table)?.keys() ?? [])], key, id);
      if (literal) return { file, ...literal };
    }
  }
  return computed ?? first ?? r.origins.get(table);
}

/** Whether a DO block or function body says `insert into` the table (schema-qualified or not). */
function insertsInto(text: string, schema: string | undefined, name: string | undefined): boolean {
  const id = (s: string): string => `"?${s.replace(/[^\w$]/g, '\\$&')}"?`;
  return name !== undefined && new RegExp(`\\binsert\\s+into\\s+(?:${schema ? `${id(schema)}\\s*\\.\\s*` : ''})?${id(name)}(?![\\w$])`, 'i').test(text);
}

/** The byte span of the constant `id` in the `key` column of an `insert ... values` statement. */
function keyLiteral(st: SqlStatement, tableColumns: readonly string[], key: string, id: string): { offset: number; endOffset: number } | undefined {
  const cols = Array.isArray(st.node.cols) ? st.node.cols.map((c) => (c as { ResTarget?: { name?: string } }).ResTarget?.name) : tableColumns;
  const at = cols.indexOf(key);
  const values = (st.node.selectStmt as { SelectStmt?: { valuesLists?: unknown[] } } | undefined)?.SelectStmt?.valuesLists;
  if (at < 0 || !Array.isArray(values)) return undefined;
  for (const tuple of values) {
    const item = (tuple as { List?: { items?: unknown[] } }).List?.items?.[at] as
      | { A_Const?: { sval?: { sval?: string }; ival?: { ival?: number }; location?: number } }
      | undefined;
    const c = item?.A_Const;
    const value = c?.sval?.sval ?? (c?.ival ? String(c.ival.ival ?? 0) : undefined);
    if (value !== id || typeof c?.location !== 'number') continue;
    // The literal as written: a quoted string (quotes doubled inside) or a bare number.
    const text = Buffer.from(st.text, 'utf8').subarray(c.location - st.offset).toString('utf8');
    const m = /^(?:[eE]?'(?:[^']|'')*'|[-+]?[0-9.]+)/.exec(text);
    return { offset: c.location, endOffset: c.location + Buffer.byteLength(m?.[0] ?? '', 'utf8') };
  }
  return undefined;
}

function extraRow(r: ReplayResult, parsed: Map<string, SqlParse>, table: string, key: string, ssot: string, id: string): PolicyFinding {
  const origin = seedOrigin(r, parsed, table, key, id);
  return {
    file: origin?.file ?? ssot,
    ...(origin ? { offset: origin.offset, ...(origin.endOffset !== undefined ? { endOffset: origin.endOffset } : {}) } : { line: 1 }),
    messageId: 'extra-row',
    data: { table, id, ssot },
    key: `extra:${id}`,
  };
}
