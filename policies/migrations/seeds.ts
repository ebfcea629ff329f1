import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { qualifiedName, type SqlParse } from '../../gates/core/sql.ts';
import { MIGRATIONS_DIR, parsedMigrations } from '../../gates/db/migrations.ts';
import { completeReplay, type ReplayResult } from '../../gates/db/replay.ts';

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
      const rows = r.rows.get(s.table);
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
        if (!listed.has(id)) out.push(extraRow(r, parsed, s.table, s.ssot, id));
      }
    }
    return out;
  },
});

/** The first INSERT into `table` among the migrations, else the statement that created it. */
function seedOrigin(r: ReplayResult, parsed: Map<string, SqlParse>, table: string): { file: string; offset: number } | undefined {
  const [schema, name] = table.split('.');
  for (const [file, p] of parsed) {
    if (!p.ok) continue;
    const ins = p.statements.find((st) => {
      const rel = qualifiedName(st.node.relation);
      return st.kind === 'InsertStmt' && rel !== undefined && rel.name === name && rel.schema === schema;
    });
    if (ins) return { file, offset: ins.offset };
  }
  return r.origins.get(table);
}

function extraRow(r: ReplayResult, parsed: Map<string, SqlParse>, table: string, ssot: string, id: string): PolicyFinding {
  const origin = seedOrigin(r, parsed, table);
  return {
    file: origin?.file ?? ssot,
    ...(origin ? { offset: origin.offset } : { line: 1 }),
    messageId: 'extra-row',
    data: { table, id, ssot },
    key: `extra:${id}`,
  };
}
