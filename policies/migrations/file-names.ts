import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { MIGRATION_NAME, MIGRATIONS_DIR } from '../../gates/db/migrations.ts';

/** True when `v` (YYYYMMDDHHMMSS) is a real UTC date-time. */
function validTimestamp(v: string): boolean {
  const [y, mo, d, h, mi, s] = [v.slice(0, 4), v.slice(4, 6), v.slice(6, 8), v.slice(8, 10), v.slice(10, 12), v.slice(12, 14)].map(Number) as number[];
  const t = new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === (mo as number) - 1 && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
}

/** Supabase applies `migrations/<14-digit UTC timestamp>_<name>.sql` files only; anything else there is silently skipped. */
export default definePolicy({
  id: 'migrations/file-names',
  title: 'Migration files are named <UTC timestamp>_<snake_case>.sql with unique versions',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/**`],
  check(ctx) {
    const out: PolicyFinding[] = [];
    const seen = new Map<string, string>();
    for (const file of ctx.glob(`${MIGRATIONS_DIR}/**`)) {
      const rel = file.slice(MIGRATIONS_DIR.length + 1);
      if (rel.includes('/')) {
        out.push({ file, line: 1, message: `migrations must sit directly in ${MIGRATIONS_DIR}/; the Supabase CLI never applies files in subfolders — move it up or out of ${MIGRATIONS_DIR}/`, key: 'nested' });
        continue;
      }
      if (rel === 'README.md' || rel === '.gitkeep') continue;
      const m = MIGRATION_NAME.exec(rel);
      if (!m) {
        const fix = rel.endsWith('.sql')
          ? 'rename it to <YYYYMMDDHHMMSS>_<snake_case_name>.sql (e.g. 20260301120000_add_ops_table.sql)'
          : `only .sql migrations belong in ${MIGRATIONS_DIR}/; move it elsewhere`;
        out.push({ file, line: 1, message: `\`${rel}\` is not a migration name, so the Supabase CLI skips it; ${fix}`, key: 'name' });
        continue;
      }
      const version = m[1] as string;
      if (!validTimestamp(version)) {
        out.push({ file, line: 1, message: `version ${version} is not a valid UTC date-time (YYYYMMDDHHMMSS); use the creation time, e.g. \`date -u +%Y%m%d%H%M%S\``, key: 'timestamp' });
      }
      const first = seen.get(version);
      if (first) out.push({ file, line: 1, message: `version ${version} is already used by ${first}; versions must be unique — give this file a later timestamp`, key: 'duplicate' });
      else seen.set(version, file);
    }
    return out;
  },
});
