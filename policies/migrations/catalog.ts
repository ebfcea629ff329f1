import type { PolicyFinding, Severity } from '../../gates/core/finding.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { MIGRATIONS_DIR } from '../../gates/db/migrations.ts';
import { PLATFORM_FILE } from '../../gates/core/ssot-files.ts';
import { targetPlatform } from '../../gates/db/platform.ts';
import { completeReplay, type CatalogRelation, type ReplayResult } from '../../gates/db/replay.ts';

/**
 * Catalog lints on the schema the migrations leave, each at the statement that created the
 * object, with the level Supabase's database advisor (splinter) gives the same problem. Objects an
 * extension owns, the platform baseline's and the stubs' are not the author's and are left out.
 * RLS lints apply to tables the Data API can reach: in an exposed schema (ssot/platform.yaml
 * database.exposed_schemas), or granted to anon/authenticated in a schema they may use.
 */
export default definePolicy({
  id: 'migrations/catalog',
  title: 'Replayed schema passes the catalog lints',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`, PLATFORM_FILE],
  messages: {
    'rls-disabled':
      'table {{object}} is reachable by the API roles and has row level security disabled, so they reach every row; add `alter table {{object}} enable row level security;` and policies in this migration (splinter 0013 rls_disabled_in_public, ERROR)',
    'rls-no-policy':
      'table {{object}} has row level security enabled but no policy, so only service_role reads it; if that is meant, nothing to do, else add a `create policy ... on {{object}}` (splinter 0008 rls_enabled_no_policy, INFO)',
    'policy-rls-disabled':
      'table {{object}} has policies but row level security is disabled, so the policies do nothing; add `alter table {{object}} enable row level security;` (splinter 0007 policy_exists_rls_disabled, ERROR)',
    'no-primary-key':
      'table {{object}} has no primary key; add one (e.g. `id uuid primary key default gen_random_uuid()`) so rows can be updated and replicated (splinter 0004 no_primary_key, INFO)',
    'fk-no-index':
      'foreign key {{name}} on {{object}} ({{columns}}) has no index starting with its columns; deletes on the referenced table scan {{object}} — add `create index on {{object}} ({{columns}})` (splinter 0001 unindexed_foreign_keys, INFO)',
    'duplicate-index': 'index {{object}} duplicates index {{other}} (same table, columns, operator classes and predicate); drop one of them (splinter 0009 duplicate_index, WARN)',
    'function-search-path':
      'function {{object}}({{args}}) has a mutable search_path, so a caller can shadow the objects it uses; add `set search_path = \'\'` and qualify names (splinter 0011 function_search_path_mutable, WARN)',
    'view-security-invoker':
      "view {{object}} is reachable by the API roles and runs with its owner's rights, bypassing the callers' row level security; create it `with (security_invoker = true)` (splinter 0010 security_definer_view, ERROR)",
  },
  async check(ctx) {
    const r = await completeReplay(ctx);
    if (!r) return [];
    if ('skipped' in r) return skip(r.skipped);
    return catalogFindings(r, targetPlatform(ctx).exposedSchemas);
  },
});

/** The catalog lints' findings on a complete replay, RLS ones for tables the API can reach. */
export function catalogFindings(r: Pick<ReplayResult, 'catalog'>, exposedSchemas: readonly string[]): PolicyFinding[] {
  const exposed = new Set(exposedSchemas);
  const reachable = (t: CatalogRelation): boolean => exposed.has(t.schema) || (t.apiGrants && t.apiSchema);
  const out: PolicyFinding[] = [];
  const add = (o: { file: string; offset: number }, messageId: string, severity: Severity, data: Record<string, unknown>, key: string): void => {
    out.push({ file: o.file, offset: o.offset, messageId, severity, data, key: `${messageId}:${key}` });
  };
  for (const t of r.catalog.relations) {
    const object = `${t.schema}.${t.name}`;
    if (t.kind === 'r' || t.kind === 'p') {
      if (!t.rls && t.hasPolicy) add(t, 'policy-rls-disabled', 'error', { object }, object);
      else if (!t.rls && reachable(t)) add(t, 'rls-disabled', 'error', { object }, object);
      else if (t.rls && !t.hasPolicy && reachable(t)) add(t, 'rls-no-policy', 'notice', { object }, object);
      if (!t.hasPrimaryKey && t.kind === 'r') add(t, 'no-primary-key', 'notice', { object }, object);
    } else if (t.kind === 'v' && reachable(t) && !t.reloptions.some((o) => /^security_invoker=(true|on|1)$/i.test(o))) {
      add(t, 'view-security-invoker', 'error', { object }, object);
    }
  }
  for (const fk of r.catalog.foreignKeys) {
    const object = `${fk.schema}.${fk.table}`;
    if (!fk.indexed) add(fk, 'fk-no-index', 'notice', { object, name: fk.name, columns: fk.columns.join(', ') }, `${object}.${fk.name}`);
  }
  const seen = new Map<string, string>();
  for (const ix of [...r.catalog.indexes].sort((a, b) => (a.file === b.file ? a.offset - b.offset : a.file < b.file ? -1 : 1))) {
    const object = `${ix.schema}.${ix.name}`;
    const first = seen.get(ix.signature);
    if (first) add(ix, 'duplicate-index', 'warning', { object, other: first }, object);
    else seen.set(ix.signature, object);
  }
  for (const fn of r.catalog.functions) {
    const object = `${fn.schema}.${fn.name}`;
    if (!fn.searchPathSet) add(fn, 'function-search-path', 'warning', { object, args: fn.args }, `${object}(${fn.args})`);
  }
  return out;
}
