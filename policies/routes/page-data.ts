import type { PolicyFinding } from '../../gates/core/finding.ts';
import { DB_CONTRACT_FILE } from '../../gates/core/ssot-files.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import type { RepoContext } from '../../gates/core/repo.ts';
import { locatePointer } from '../../gates/core/yaml.ts';
import { MIGRATIONS_DIR, migrationFiles } from '../../gates/db/migrations.ts';
import { replay } from '../../gates/db/replay.ts';
import { NAV_FILE } from './_lib/console.ts';

const esc = (s: string): string => s.replaceAll('~', '~0').replaceAll('/', '~1');

interface Read {
  route: string;
  table: string;
  pointer: string;
}

/**
 * The data each console page reads is declared and proven: every table or view a nav route
 * `reads` is in the DB contract, and the replayed schema has it with every column the contract
 * lists. A gap is reported at the nav line and at the contract line.
 */
export default definePolicy({
  id: 'routes/page-data',
  title: 'The tables and columns each console page reads exist after the replay',
  severity: 'error',
  appliesTo: [NAV_FILE, DB_CONTRACT_FILE, `${MIGRATIONS_DIR}/*.sql`],
  messages: {
    'not-in-contract': 'the {{route}} page reads {{table}}, which {{contract}} does not list — add it with the columns the page uses',
    'table-missing': 'the {{route}} page reads {{table}}, but no migration creates it — create it in a migration or stop reading it',
    'table-missing-contract': '{{table}} is read by the {{route}} page ({{nav}}), but no migration creates it — create it in a migration',
    'column-missing':
      'the {{route}} page reads {{table}}.{{column}} (per {{contract}}), but the replayed schema has no such column — add it in a migration or correct the contract',
    'column-missing-contract':
      '{{table}}.{{column}} is read by the {{route}} page ({{nav}}), but the replayed schema has no such column — add it in a migration or correct the contract',
  },
  async check(ctx) {
    const reads = navReads(ctx);
    if (reads.length === 0) return [];
    const contract = ctx.data(DB_CONTRACT_FILE) as { tables?: Record<string, { columns?: Record<string, unknown> } | null> } | undefined;
    const tables = contract?.tables && typeof contract.tables === 'object' ? contract.tables : {};
    if (migrationFiles(ctx).length === 0)
      return skip(`there is no migration under ${MIGRATIONS_DIR}/ to replay, so the tables the pages read cannot be checked`);
    const r = await replay(ctx);
    if (!r) return skip(`a migration does not parse (see migrations/syntax), so the schema was not replayed and the tables the pages read cannot be checked`);
    if (r.failure)
      return skip(
        `the replay stopped at ${r.failure.file}:${lineOf(ctx, r.failure.file, r.failure.offset)} (${r.failure.message}), so the tables the pages read cannot be checked`,
      );
    const out: PolicyFinding[] = [];
    const navYaml = ctx.yaml(NAV_FILE);
    const navLine = (pointer: string): string => (navYaml ? `${NAV_FILE}:${locatePointer(navYaml, pointer).range.line}` : NAV_FILE);
    for (const read of reads) {
      const base = { route: read.route, table: read.table };
      const spec = tables[read.table];
      if (spec === undefined) {
        out.push({
          file: NAV_FILE,
          pointer: read.pointer,
          messageId: 'not-in-contract',
          data: { ...base, contract: DB_CONTRACT_FILE },
          key: `contract:${read.route}:${read.table}`,
        });
        continue;
      }
      const tp = `/tables/${esc(read.table)}`;
      const actual = r.columns.get(read.table);
      if (!actual) {
        out.push({ file: NAV_FILE, pointer: read.pointer, messageId: 'table-missing', data: base, key: `table:${read.route}:${read.table}` });
        out.push({
          file: DB_CONTRACT_FILE,
          pointer: tp,
          at: 'key',
          messageId: 'table-missing-contract',
          data: { ...base, nav: navLine(read.pointer) },
          key: `table:${read.route}:${read.table}`,
        });
        continue;
      }
      for (const column of Object.keys(spec?.columns ?? {})) {
        if (actual.has(column)) continue;
        const data = { ...base, column };
        out.push({
          file: NAV_FILE,
          pointer: read.pointer,
          messageId: 'column-missing',
          data: { ...data, contract: DB_CONTRACT_FILE },
          key: `column:${read.route}:${read.table}.${column}`,
        });
        out.push({
          file: DB_CONTRACT_FILE,
          pointer: `${tp}/columns/${esc(column)}`,
          at: 'key',
          messageId: 'column-missing-contract',
          data: { ...data, nav: navLine(read.pointer) },
          key: `column:${read.route}:${read.table}.${column}`,
        });
      }
    }
    return out;
  },
});

function navReads(ctx: RepoContext): Read[] {
  const data = ctx.data(NAV_FILE) as { routes?: unknown } | undefined;
  if (!data || !Array.isArray(data.routes)) return [];
  const out: Read[] = [];
  data.routes.forEach((r: unknown, i) => {
    if (typeof r !== 'object' || r === null) return;
    const { path, reads } = r as { path?: unknown; reads?: unknown };
    if (typeof path !== 'string' || !Array.isArray(reads)) return;
    reads.forEach((table: unknown, j) => {
      if (typeof table === 'string') out.push({ route: path, table, pointer: `/routes/${i}/reads/${j}` });
    });
  });
  return out;
}

/** The 1-based line of a UTF-8 byte offset in a repository file. */
function lineOf(ctx: RepoContext, file: string, offset: number): number {
  const text = ctx.text(file) ?? '';
  return Buffer.from(text, 'utf8').subarray(0, offset).toString('utf8').split('\n').length;
}
