import type { GateResult } from '../core/run.ts';
import type { RepoContext } from '../core/repo.ts';
import { locatePointer } from '../core/yaml.ts';
import { isRecord } from '../core/data.ts';
import { pointerOf } from '../core/pointer.ts';
import { CAPABILITIES_FILE, CATALOG_FILE, DB_CONTRACT_FILE, JOBS_FILE, NAV_FILE, OBSERVABILITY_FILE, PLATFORM_FILE, REGISTRY_FILE, WAVES_FILE } from '../core/ssot-files.ts';

/** The policies whose verdict ssot.json relies on: the shapes, and that no secret value is in the SSOT. */
export const SSOT_GUARDS = ['ssot/schema', 'secrets/no-values'] as const;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Entry = { [k: string]: Json };


/** Why ssot.json cannot be written for this run, or undefined when it can. */
export function ssotBlocked(result: GateResult): string | undefined {
  if (result.shard) return `this run checked shard ${result.shard.index}/${result.shard.count} of the files; \`gates merge\` of all ${result.shard.count} reports writes it`;
  const notRun = SSOT_GUARDS.filter((id) => result.policies.find((p) => p.id === id)?.status !== 'ran');
  if (notRun.length) return `the SSOT was not fully checked in this run (${notRun.join(', ')} did not run), so it cannot be vouched for`;
  const errors = result.findings.filter((f) => f.severity === 'error' && f.file.startsWith('ssot/'));
  if (errors.length) {
    const first = errors[0] as (typeof errors)[number];
    return `the SSOT has ${errors.length} error-level finding${errors.length === 1 ? '' : 's'} (first: ${first.file}:${first.line} ${first.policy}); fix ${errors.length === 1 ? 'it' : 'them'} and run again`;
  }
  return undefined;
}

/** Reads one SSOT file: its data and `source(pointer)` → `file:line`. */
function reader(ctx: RepoContext, file: string): { data: Record<string, unknown>; source: (pointer: string, at?: 'key' | 'value') => string } | undefined {
  const y = ctx.yaml(file);
  const data = ctx.data(file);
  if (!y || !isRecord(data)) return undefined;
  return { data, source: (pointer, at) => `${file}:${locatePointer(y, pointer, at ? { at } : {}).range.line}` };
}

/** Plain JSON of a YAML value (YAML has nothing JSON lacks after parsing, but be explicit). */
function json(v: unknown): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(json);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, json(x)]));
  // What is left is a bigint, a symbol, a function or undefined: every object is handled above.
  if (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function') return v.toString();
  return 'undefined';
}

/** A whole-file entry: its data without `version`, and where it is. */
function fileEntry(ctx: RepoContext, file: string, omit: readonly string[] = []): Entry | undefined {
  const r = reader(ctx, file);
  if (!r) return undefined;
  const rest = Object.fromEntries(Object.entries(r.data).filter(([k]) => k !== 'version' && !omit.includes(k)));
  return { file, source: r.source(''), ...(json(rest) as Entry) };
}

/** Items of a list in a file, each with its source line. */
function listEntries(ctx: RepoContext, file: string, key: string): Entry[] {
  const r = reader(ctx, file);
  const list = r?.data[key];
  if (!r || !Array.isArray(list)) return [];
  return list.map((item, i) => ({ ...(isRecord(item) ? (json(item) as Entry) : { value: json(item) }), source: r.source(`/${key}/${i}`) }));
}

/**
 * The resolved SSOT for the runners and the console (schemas/artifacts/ssot.schema.json): every
 * entry with its `source` (`file:line`), so a page links to the evidence. Secrets appear by name,
 * stores and consumers; the registry holds no value, and secrets/no-values must have passed.
 */
export function buildSsot(ctx: RepoContext): Entry {
  const environments = ctx.glob('ssot/environments/*.{yaml,yml}').flatMap((f) => {
    const e = fileEntry(ctx, f);
    return e ? [e] : [];
  });
  const providers = ctx.glob('ssot/providers/*/provider.{yaml,yml}').flatMap((f) => {
    const e = fileEntry(ctx, f);
    return e ? [e] : [];
  });
  const integrationConfigs = ctx.glob('ssot/integrations/*.{yaml,yml}').filter((f) => !/\/catalog\.ya?ml$/.test(f)).flatMap((f) => {
    const e = fileEntry(ctx, f);
    return e ? [e] : [];
  });
  const sources = ctx.glob('ssot/sources/**/*.{yaml,yml}').flatMap((f) => {
    const e = fileEntry(ctx, f);
    return e ? [e] : [];
  });
  const waves = reader(ctx, WAVES_FILE);
  const nav = reader(ctx, NAV_FILE);
  const registry = reader(ctx, REGISTRY_FILE);
  const secrets: Entry[] = [];
  if (registry && isRecord(registry.data.secrets)) {
    for (const [name, raw] of Object.entries(registry.data.secrets)) {
      const s = isRecord(raw) ? raw : {};
      const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
      secrets.push({
        name,
        consumers: strings(s.consumers),
        stores: strings(s.stores),
        environments: strings(s.environments),
        ...(typeof s.owner === 'string' ? { owner: s.owner } : {}),
        source: registry.source(pointerOf('secrets', name), 'key'),
      });
    }
  }
  const observability = fileEntry(ctx, OBSERVABILITY_FILE);
  const obs = reader(ctx, OBSERVABILITY_FILE);
  const metrics = observability?.metrics;
  if (obs && isRecord(metrics) && Array.isArray(metrics.panels)) {
    metrics.panels = metrics.panels.map((p, i) => ({ ...(isRecord(p) ? p : { value: p }), source: obs.source(`/metrics/panels/${i}`) }));
  }
  return {
    version: 1,
    environments,
    providers,
    integrations: listEntries(ctx, CATALOG_FILE, 'integrations'),
    integration_configs: integrationConfigs,
    capabilities: listEntries(ctx, CAPABILITIES_FILE, 'capabilities'),
    jobs: listEntries(ctx, JOBS_FILE, 'jobs'),
    module_waves: waves
      ? {
          file: WAVES_FILE,
          source: waves.source(''),
          odoo_series: json(waves.data.odoo_series),
          core_modules: json(waves.data.core_modules ?? []),
          waves: (Array.isArray(waves.data.waves) ? waves.data.waves : []).map((w, wi) => {
            const wave = isRecord(w) ? w : {};
            return {
              wave: json(wave.wave),
              title: json(wave.title ?? ''),
              source: waves.source(`/waves/${wi}`),
              modules: (Array.isArray(wave.modules) ? wave.modules : []).map((m, mi) => ({ ...(isRecord(m) ? (json(m) as Entry) : {}), source: waves.source(`/waves/${wi}/modules/${mi}`) })),
            };
          }),
        }
      : null,
    sources,
    console_nav: nav
      ? {
          file: NAV_FILE,
          source: nav.source(''),
          ...(json(Object.fromEntries(Object.entries(nav.data).filter(([k]) => k !== 'version' && k !== 'routes'))) as Entry),
          routes: listEntries(ctx, 'ssot/console/nav.yaml', 'routes'),
        }
      : null,
    observability: observability ?? null,
    platform: fileEntry(ctx, PLATFORM_FILE) ?? null,
    database_contract: fileEntry(ctx, DB_CONTRACT_FILE) ?? null,
    secrets,
  };
}
