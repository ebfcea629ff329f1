import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { MIGRATIONS_DIR } from '../../gates/db/migrations.ts';
import { replay } from '../../gates/db/replay.ts';

export const PLATFORM_FILE = 'ssot/platform.yaml';

interface Limits {
  max: number;
  ratio: number;
}

function limits(data: unknown): Limits | undefined {
  const l = (data as { limits?: { db_objects_max?: unknown; db_objects_warn_ratio?: unknown } } | undefined)?.limits;
  if (typeof l?.db_objects_max !== 'number' || typeof l.db_objects_warn_ratio !== 'number') return undefined;
  return { max: l.db_objects_max, ratio: l.db_objects_warn_ratio };
}

/**
 * Odoo.sh parity: tables plus sequences (relkind r, p, S) after the replay stay within
 * `limits.db_objects_max` of ssot/platform.yaml; from `db_objects_warn_ratio` of it on, a warning.
 * Reported at the migration that crosses the line.
 */
export default definePolicy({
  id: 'migrations/object-budget',
  title: 'Tables plus sequences stay within the platform budget',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`, PLATFORM_FILE],
  async check(ctx) {
    const lim = limits(ctx.data(PLATFORM_FILE));
    if (!lim) return [];
    const r = await replay(ctx);
    if (!r || r.failure) return [];
    const final = r.objectCounts.at(-1)?.count ?? 0;
    const warnAt = Math.ceil(lim.max * lim.ratio);
    const error = final > lim.max;
    if (!error && final < warnAt) return [];
    const crossing = r.objectCounts.find((c) => (error ? c.count > lim.max : c.count >= warnAt));
    if (!crossing) return [];
    const finding: PolicyFinding = {
      file: crossing.file,
      line: 1,
      severity: error ? 'error' : 'warning',
      message: error
        ? `after this migration the database holds ${crossing.count} tables and sequences (${final} after all), over the budget of ${lim.max} (${PLATFORM_FILE} limits.db_objects_max, Odoo.sh parity); merge tables or drop unused ones`
        : `after this migration the database holds ${crossing.count} tables and sequences (${final} after all), ${Math.round(lim.ratio * 100)} % or more of the budget of ${lim.max} (${PLATFORM_FILE}); plan to consolidate before the limit fails the gate`,
      key: error ? 'over-budget' : 'near-budget',
      data: { count: final, max: lim.max },
    };
    return [finding];
  },
});
