import type { RepoContext } from '../core/repo.ts';
import { locatePointer } from '../core/yaml.ts';
import { replay } from '../db/replay.ts';
import { isRecord } from '../core/data.ts';

import { CAPABILITIES_FILE } from '../core/ssot-files.ts';


export interface ControlPlane {
  version: 1;
  capabilities_file: string;
  schema: { replayed: boolean; engine: 'postgres' | 'pglite' | null; reason: string | null };
  capabilities: Array<{
    id: string;
    title: string;
    maturity: string;
    data_source: string;
    data_source_kind: 'ops-table' | 'supabase-api' | 'other';
    baseline_allowed: boolean;
    state: 'online' | 'coming-online';
    data_source_exists: boolean | null;
    source: string;
  }>;
}

/**
 * `control-plane.json` (plan tasks 15–17): each capability of the SSOT with its maturity, data
 * source, baseline_allowed, its state (`coming-online` for the scaffold tier, else `online`) and
 * whether its data source exists in the schema the migrations replay to (an ops table; null for a
 * Supabase API, which is no table, or when the replay could not run). Undefined without the file.
 */
export async function buildControlPlane(ctx: RepoContext): Promise<ControlPlane | { missing: string }> {
  const y = ctx.yaml(CAPABILITIES_FILE);
  const data = ctx.data(CAPABILITIES_FILE);
  if (!y || !isRecord(data) || !Array.isArray(data.capabilities)) return { missing: `${CAPABILITIES_FILE} is missing or unreadable` };
  const r = await replay(ctx);
  let reason: string | null = null;
  if (!r) reason = 'the migrations were not replayed (there are none, or one does not parse: see migrations/syntax)';
  else if (r.failure) reason = `the replay stopped at ${r.failure.file}: ${r.failure.message.split('\n')[0] ?? r.failure.message}`;
  const tables = r && !r.failure ? r.columns : undefined;
  const capabilities: ControlPlane['capabilities'] = [];
  data.capabilities.forEach((c, i) => {
    if (!isRecord(c) || typeof c.id !== 'string') return;
    const ds = typeof c.data_source === 'string' ? c.data_source : '';
    const kind = /^ops\./.test(ds) ? 'ops-table' : /^supabase:/.test(ds) ? 'supabase-api' : 'other';
    const maturity = typeof c.maturity === 'string' ? c.maturity : '';
    capabilities.push({
      id: c.id,
      title: typeof c.title === 'string' ? c.title : c.id,
      maturity,
      data_source: ds,
      data_source_kind: kind,
      baseline_allowed: c.baseline_allowed === true,
      state: maturity === 'scaffold' ? 'coming-online' : 'online',
      data_source_exists: kind === 'ops-table' && tables ? tables.has(ds) : null,
      source: `${CAPABILITIES_FILE}:${locatePointer(y, `/capabilities/${i}`).range.line}`,
    });
  });
  return {
    version: 1,
    capabilities_file: CAPABILITIES_FILE,
    schema: { replayed: tables !== undefined, engine: r && !r.failure ? r.engine : null, reason },
    capabilities,
  };
}
