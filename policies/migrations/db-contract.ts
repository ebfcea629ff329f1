import type { PolicyFinding } from '../../gates/core/finding.ts';
import { DB_CONTRACT_FILE } from '../../gates/core/ssot-files.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { MIGRATIONS_DIR } from '../../gates/db/migrations.ts';
import { completeReplay } from '../../gates/db/replay.ts';


interface Contract {
  tables?: Record<string, { columns?: Record<string, unknown> } | null>;
}

const esc = (s: string): string => s.replaceAll('~', '~0').replaceAll('/', '~1');

/** The tables and columns the ingest runners and the console rely on exist after the replay, with the declared types. */
export default definePolicy({
  id: 'migrations/db-contract',
  title: 'The replayed schema has the tables and columns of the DB contract',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`, DB_CONTRACT_FILE],
  messages: {
    'missing-table': 'the contract names table {{table}}, but no migration creates it; create it in a migration or correct the contract',
    'missing-column': 'table {{table}} has no column {{column}} after the replay; add it in a migration or correct the contract',
    'type-differs': 'column {{table}}.{{column}} is {{actual}} after the replay, but the contract says {{expected}}; its readers expect {{expected}} — change the migration or the contract',
  },
  async check(ctx) {
    const out: PolicyFinding[] = [];
    const contract = ctx.data(DB_CONTRACT_FILE) as Contract | undefined;
    if (!contract?.tables || typeof contract.tables !== 'object') return out;
    const r = await completeReplay(ctx);
    if (!r) return out;
    if ('skipped' in r) return skip(r.skipped);
    for (const [table, spec] of Object.entries(contract.tables)) {
      const actual = r.columns.get(table);
      const tp = `/tables/${esc(table)}`;
      if (!actual) {
        out.push({ file: DB_CONTRACT_FILE, pointer: tp, at: 'key', messageId: 'missing-table', data: { table }, key: `table:${table}` });
        continue;
      }
      for (const [column, type] of Object.entries(spec?.columns ?? {})) {
        const col = actual.get(column);
        const cp = `${tp}/columns/${esc(column)}`;
        if (!col) {
          out.push({ file: DB_CONTRACT_FILE, pointer: cp, at: 'key', messageId: 'missing-column', data: { table, column }, key: `column:${table}.${column}` });
        } else if (typeof type === 'string' && col.type !== type) {
          out.push({ file: DB_CONTRACT_FILE, pointer: cp, messageId: 'type-differs', data: { table, column, actual: col.type, expected: type }, key: `type:${table}.${column}` });
        }
      }
    }
    return out;
  },
});
