import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { MIGRATIONS_DIR, migrationFolder } from '../../gates/db/migrations.ts';

/** True when `v` (YYYYMMDDHHMMSS) is a real UTC date-time. */
function validTimestamp(v: string): boolean {
  if (!/^\d{14}$/.test(v)) return false;
  const [y, mo, d, h, mi, s] = [v.slice(0, 4), v.slice(4, 6), v.slice(6, 8), v.slice(8, 10), v.slice(10, 12), v.slice(12, 14)].map(Number);
  const t = new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === (mo as number) - 1 && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
}

/** Files that are not migrations but commonly sit beside them. */
const IGNORED = new Set(['README.md', '.gitkeep']);

/**
 * The Supabase CLI applies every `migrations/<digits>_<anything>.sql` in name order and skips the
 * rest without failing: a skipped file is a warning that it will not be applied; a version used
 * twice is an error (the second insert into the CLI's history table fails); a version that is not
 * the 14-digit UTC timestamp `supabase migration new` writes is a style warning.
 */
export default definePolicy({
  id: 'migrations/file-names',
  title: 'Every file in migrations/ is applied by the Supabase CLI, with a unique version',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/**`],
  messages: {
    nested:
      '{{file}} will not be applied: the Supabase CLI reads only the files directly in {{dir}}/, never subfolders — move it up into {{dir}}/ if it is a migration, or out of {{dir}}/',
    'not-applied':
      '`{{name}}` will not be applied: the Supabase CLI applies only files named `<digits>_<name>.sql` — rename it `<YYYYMMDDHHMMSS>_<name>.sql` (`date -u +%Y%m%d%H%M%S`) if it is a migration; seed data belongs in the seed file the CLI runs after the migrations (supabase/seed.sql)',
    'not-sql': '`{{name}}` is not SQL and the Supabase CLI ignores it; move it out of {{dir}}/',
    'legacy-init':
      '`{{name}}` will not be applied: as the first file, a `<timestamp>_init.sql` older than 2021-12-09 is skipped by the Supabase CLI (its early schema dump) — rename it (keep the version) if it should run',
    'duplicate-version':
      'version {{version}} is already used by {{first}}; the Supabase CLI records each version once, so the second file fails to apply — give this file a later timestamp',
    'version-style':
      'version {{version}} is not a UTC date-time YYYYMMDDHHMMSS as `supabase migration new` writes; the CLI applies files in name order, so a short or malformed version can sort before older migrations — prefer `date -u +%Y%m%d%H%M%S`',
  },
  check(ctx) {
    const out: PolicyFinding[] = [];
    const seen = new Map<string, string>();
    for (const e of migrationFolder(ctx)) {
      const name = e.file.slice(MIGRATIONS_DIR.length + 1);
      if (e.kind === 'nested') {
        out.push({ file: e.file, line: 1, severity: 'warning', messageId: 'nested', data: { file: e.file, dir: MIGRATIONS_DIR }, key: 'nested' });
        continue;
      }
      if (IGNORED.has(name)) continue;
      if (e.kind === 'legacy-init') {
        out.push({ file: e.file, line: 1, severity: 'warning', messageId: 'legacy-init', data: { name }, key: 'legacy-init' });
        continue;
      }
      if (e.kind === 'not-matching') {
        const sql = name.endsWith('.sql');
        out.push({
          file: e.file,
          line: 1,
          severity: 'warning',
          messageId: sql ? 'not-applied' : 'not-sql',
          data: sql ? { name } : { name, dir: MIGRATIONS_DIR },
          key: 'not-applied',
        });
        continue;
      }
      if (e.kind !== 'migration') continue;
      if (!validTimestamp(e.version)) {
        out.push({ file: e.file, line: 1, severity: 'warning', messageId: 'version-style', data: { version: e.version }, key: 'version-style' });
      }
      const first = seen.get(e.version);
      if (first) out.push({ file: e.file, line: 1, messageId: 'duplicate-version', data: { version: e.version, first }, key: 'duplicate' });
      else seen.set(e.version, e.file);
    }
    return out;
  },
});
