import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { walkSql, type SqlStatement } from '../../gates/core/sql.ts';
import { MIGRATIONS_DIR, migrationFiles, parsedMigrations } from '../../gates/db/migrations.ts';
import { PLATFORM_FILE } from '../../gates/core/ssot-files.ts';
import { lineOf, replay } from '../../gates/db/replay.ts';

interface Limits {
  max: number;
  ratio: number;
}

function limits(data: unknown): Limits | undefined {
  const l = (data as { limits?: { db_objects_max?: unknown; db_objects_warn_ratio?: unknown } } | undefined)?.limits;
  if (typeof l?.db_objects_max !== 'number' || typeof l.db_objects_warn_ratio !== 'number') return undefined;
  return { max: l.db_objects_max, ratio: l.db_objects_warn_ratio };
}

const SERIAL = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/**
 * Tables and sequences a statement creates (+) or drops (-), read from the parse: `create table`
 * (plus one sequence per serial or identity column), `create table as`, `create sequence`, and
 * `drop table/sequence`. Partitions count as tables, as in the catalog.
 */
export function objectDelta(s: SqlStatement): number {
  if (s.kind === 'CreateStmt' || s.kind === 'CreateTableAsStmt') {
    if (s.kind === 'CreateTableAsStmt' && s.node.objtype !== 'OBJECT_TABLE' && s.node.objtype !== undefined) return 0;
    let n = 1;
    walkSql(s.node.tableElts, (kind, f) => {
      if (kind === 'ColumnDef') {
        const type = ((f.typeName as { names?: Array<{ String?: { sval?: string } }> } | undefined)?.names ?? []).map((x) => x.String?.sval).at(-1);
        if (type && SERIAL.has(type)) n++;
      }
      if (kind === 'Constraint' && f.contype === 'CONSTR_IDENTITY') n++;
    });
    return n;
  }
  if (s.kind === 'CreateSeqStmt') return 1;
  if (s.kind === 'AlterTableStmt') {
    let n = 0;
    walkSql(s.node.cmds, (kind, f) => {
      if (kind === 'Constraint' && f.contype === 'CONSTR_IDENTITY') n++;
      if (kind === 'ColumnDef') {
        const type = ((f.typeName as { names?: Array<{ String?: { sval?: string } }> } | undefined)?.names ?? []).map((x) => x.String?.sval).at(-1);
        if (type && SERIAL.has(type)) n++;
      }
    });
    return n;
  }
  if (s.kind === 'DropStmt' && (s.node.removeType === 'OBJECT_TABLE' || s.node.removeType === 'OBJECT_SEQUENCE')) {
    return -(Array.isArray(s.node.objects) ? s.node.objects.length : 0);
  }
  return 0;
}

/**
 * Odoo.sh parity: tables plus sequences (relkind r, p, S) after the replay stay within
 * `limits.db_objects_max` of ssot/platform.yaml; from `db_objects_warn_ratio` of it on, a warning.
 * Reported at the migration that crosses the line. Counted from the catalog after the replay and,
 * when the replay did not finish (a file of 10,001 tables outgrows the server's lock table), from
 * the parse of the migrations, so the budget still speaks.
 */
export default definePolicy({
  id: 'migrations/object-budget',
  title: 'Tables plus sequences stay within the platform budget',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`, PLATFORM_FILE],
  messages: {
    over: 'after this migration the database holds {{count}} tables and sequences ({{final}} after all{{how}}), over the budget of {{max}} (ssot/platform.yaml limits.db_objects_max, Odoo.sh parity); merge tables or drop unused ones',
    near: 'after this migration the database holds {{count}} tables and sequences ({{final}} after all{{how}}), {{percent}} % or more of the budget of {{max}} (ssot/platform.yaml); plan to consolidate before the limit fails the gate',
  },
  async check(ctx) {
    const lim = limits(ctx.data(PLATFORM_FILE));
    if (!lim) return [];
    const r = await replay(ctx);
    if (!r) return [];
    let counts = r.objectCounts;
    let how = '';
    if (r.failure) {
      if (r.failure.syntax) return skip(`the migrations were not counted: ${r.failure.file}:${lineOf(ctx, r.failure.file, r.failure.offset)} does not parse (see migrations/syntax)`);
      // Counted from the parse: the migrations' own tables and sequences (the platform's are not known without a database).
      const parsed = await parsedMigrations(ctx);
      let n = 0;
      counts = [];
      for (const m of migrationFiles(ctx)) {
        const p = parsed.get(m.file);
        if (p?.ok) for (const s of p.statements) n += objectDelta(s);
        counts.push({ file: m.file, count: n });
      }
      how = `, counted from the migrations' statements because the replay stopped at ${r.failure.file}:${lineOf(ctx, r.failure.file, r.failure.offset)}`;
    }
    const final = counts.at(-1)?.count ?? 0;
    const warnAt = Math.ceil(lim.max * lim.ratio);
    const error = final > lim.max;
    if (!error && final < warnAt) return [];
    const crossing = counts.find((c) => (error ? c.count > lim.max : c.count >= warnAt));
    if (!crossing) return [];
    const finding: PolicyFinding = {
      file: crossing.file,
      line: 1,
      severity: error ? 'error' : 'warning',
      messageId: error ? 'over' : 'near',
      data: { count: crossing.count, final, how, max: lim.max, percent: Math.round(lim.ratio * 100) },
      key: error ? 'over-budget' : 'near-budget',
    };
    return [finding];
  },
});
