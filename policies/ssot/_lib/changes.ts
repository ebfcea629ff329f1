import picomatch from 'picomatch';
import type { RepoContext } from '../../../gates/core/repo.ts';
import { SCHEMA_MAP_FILE, SchemaSet } from '../../../gates/core/schema.ts';
import { parseYaml } from '../../../gates/core/yaml.ts';
import {
  CAPABILITIES_FILE,
  CATALOG_FILE,
  catalogEntries,
  isRecord,
  JOBS_FILE,
  NAV_FILE,
  OBSERVABILITY_FILE,
  REGISTRY_FILE,
  SECRET_REF_KEY,
  walk,
  WAVES_FILE,
} from '../../_lib/ssot.ts';

/** The SSOT YAML files, as the per-file SSOT policies check them. */
export const SSOT_YAML = ['ssot/**/*.yaml', 'ssot/**/*.yml'];
const isSsotYaml = picomatch(SSOT_YAML, { dot: true });

/** Files the cross-file SSOT policies read in full: a change to one always re-runs them. */
const READ_WHOLE = picomatch(
  [CATALOG_FILE, JOBS_FILE, REGISTRY_FILE, CAPABILITIES_FILE, NAV_FILE, OBSERVABILITY_FILE, WAVES_FILE, 'ssot/providers/**', 'ssot/environments/**', 'ssot/integrations/**'],
  { dot: true },
);

/**
 * What the cross-file SSOT policies (references, unique ids, consumed secrets) read from any other
 * SSOT file: its `runner` and its secret references. Undefined when the text does not parse
 * cleanly (then nothing can be concluded and the policies run).
 */
function modelFacts(text: string | undefined): string | undefined {
  if (text === undefined) return '';
  const y = parseYaml('facts.yaml', text);
  if (y.broken) return undefined;
  const data = y.values[0];
  const refs: string[] = [];
  walk(data, ({ pointer, key, value }) => {
    if (key !== undefined && SECRET_REF_KEY.test(key) && typeof value === 'string') refs.push(`${pointer}=${value}`);
  });
  return JSON.stringify({ runner: isRecord(data) ? data.runner : undefined, refs });
}

/**
 * For the cross-file SSOT policies in pull-request mode: why the change cannot alter their verdict,
 * or undefined when they must run. They must run when a changed SSOT file is one they read in full
 * (the catalog, the registry, providers, integrations …, or a file the catalog links), or when a
 * changed file's runner id or secret references differ from the merge base.
 */
export function ssotModelUnaffected(ctx: RepoContext, changed: readonly string[]): string | undefined {
  const from = ctx.options.changedFrom;
  if (from === undefined) return undefined;
  const files = changed.filter((f) => isSsotYaml(f));
  const linked = new Set(catalogEntries(ctx).flatMap((e) => [e.config, e.providerFile].filter((x): x is string => x !== undefined)));
  for (const f of files) {
    if (READ_WHOLE(f) || linked.has(f)) return undefined;
    const before = modelFacts(ctx.git.show(from, f));
    const after = modelFacts(ctx.exists(f) ? ctx.text(f) : undefined);
    if (before === undefined || after === undefined || before !== after) return undefined;
  }
  const n = files.length;
  return `the change alters no runner id, secret reference or shared SSOT file (${n} changed SSOT ${n === 1 ? 'file' : 'files'} compared with ${from.slice(0, 12)})`;
}

/** Every SSOT YAML file, when one of `globs` changed: a change there bears on every file. */
export function allSsotWhen(globs: readonly string[]): (ctx: RepoContext, changed: readonly string[]) => readonly string[] {
  const m = picomatch([...globs], { dot: true });
  return (ctx, changed) => (changed.some((f) => m(f)) ? ctx.files.filter((f) => isSsotYaml(f)) : []);
}

/** The SSOT files a changed schema (or the schema map) governs, directly or through a `$ref` to it. */
export function governedBy(ctx: RepoContext, changed: readonly string[]): readonly string[] {
  const all = ctx.files.filter((f) => isSsotYaml(f));
  if (changed.includes(SCHEMA_MAP_FILE)) return all;
  const changedSchemas = changed.filter((f) => f.startsWith('schemas/') && f.endsWith('.json'));
  if (changedSchemas.length === 0) return [];
  const schemas = SchemaSet.of(ctx);
  // A schema that names a changed schema's $id or file name takes its rules in.
  const touched = new Set(changedSchemas);
  for (const s of schemas.schemaFiles) {
    const text = ctx.text(s) ?? '';
    if (changedSchemas.some((c) => text.includes(schemas.idOf(c) ?? c) || text.includes(c.split('/').pop() ?? c))) touched.add(s);
  }
  return all.filter((f) => {
    const schema = schemas.choose(f).choice?.schema;
    return schema !== undefined && touched.has(schema);
  });
}

/** The SSOT files that may reference a secret (a key named like `secrets` or `*_secret`), by their text. */
export function referencingSecrets(ctx: RepoContext, changed: readonly string[]): readonly string[] {
  if (!changed.includes(REGISTRY_FILE)) return [];
  return ctx.files.filter((f) => isSsotYaml(f) && /(?:^|[^a-z0-9])secrets?["']?\s*:/im.test(ctx.text(f) ?? ''));
}
