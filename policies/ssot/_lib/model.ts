import type { RepoContext } from '../../../gates/core/repo.ts';
import { isRecord, seg, ssotDocs, walk } from './walk.ts';

export const REGISTRY_FILE = 'ssot/secrets/registry.yaml';
export const CATALOG_FILE = 'ssot/integrations/catalog.yaml';
export const JOBS_FILE = 'ssot/jobs.yaml';

/** A named thing declared or referenced at a place in an SSOT file. */
export interface Named {
  name: string;
  file: string;
  pointer: string;
}

/** The form of a registry name; a reference of another form may be a pasted value and is never echoed. */
export const SECRET_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** Keys whose values are secret *names* from the registry: `secrets`, `token_secret`, `SMTP_USER_SECRET` … */
export const SECRET_REF_KEY = /(^|_)secrets?$/i;

/** Every reference to a registry secret in the SSOT (the registry itself excluded). */
export function secretReferences(ctx: RepoContext): Named[] {
  return ctx.memo('ssot/secret-references', () => {
    const out: Named[] = [];
    for (const { file, data } of ssotDocs(ctx)) {
      if (file === REGISTRY_FILE) continue;
      walk(data, ({ pointer, key, value }) => {
        if (key !== undefined && SECRET_REF_KEY.test(key) && typeof value === 'string') out.push({ name: value, file, pointer });
      });
    }
    return out;
  });
}

/** The registry's secrets by name, with the raw entry. */
export function registrySecrets(ctx: RepoContext): Map<string, Record<string, unknown>> | undefined {
  const data = ctx.data(REGISTRY_FILE);
  if (!isRecord(data) || !isRecord(data.secrets)) return undefined;
  const out = new Map<string, Record<string, unknown>>();
  for (const [name, entry] of Object.entries(data.secrets)) out.set(name, isRecord(entry) ? entry : {});
  return out;
}

export interface CatalogEntry {
  index: number;
  slug: string;
  provider?: string;
  secrets: string[];
  config?: string;
  providerFile?: string;
}

export function catalogEntries(ctx: RepoContext): CatalogEntry[] {
  const data = ctx.data(CATALOG_FILE);
  if (!isRecord(data) || !Array.isArray(data.integrations)) return [];
  const out: CatalogEntry[] = [];
  data.integrations.forEach((raw, index) => {
    if (!isRecord(raw) || typeof raw.slug !== 'string') return;
    out.push({
      index,
      slug: raw.slug,
      provider: typeof raw.provider === 'string' ? raw.provider : undefined,
      secrets: Array.isArray(raw.secrets) ? raw.secrets.filter((s): s is string => typeof s === 'string') : [],
      config: typeof raw.config === 'string' ? raw.config : undefined,
      providerFile: typeof raw.provider_file === 'string' ? raw.provider_file : undefined,
    });
  });
  return out;
}

/** Provider files (`ssot/providers/<id>/provider.yaml`) and the id each declares. */
export function providers(ctx: RepoContext): Named[] {
  const out: Named[] = [];
  for (const file of ctx.glob('ssot/providers/*/provider.{yaml,yml}')) {
    const data = ctx.data(file);
    if (isRecord(data) && typeof data.id === 'string') out.push({ name: data.id, file, pointer: '/id' });
  }
  return out;
}

/** Runner ids: the top-level `runner` of every SSOT file that declares one, except the jobs that use them. */
export function runners(ctx: RepoContext): Named[] {
  const out: Named[] = [];
  for (const { file, data } of ssotDocs(ctx)) {
    if (file === JOBS_FILE || !isRecord(data)) continue;
    if (typeof data.runner === 'string') out.push({ name: data.runner, file, pointer: '/runner' });
  }
  return out;
}

/** Everything a secret's `consumers` entry may name: integration slugs, provider ids, runner ids. */
export function consumerIds(ctx: RepoContext): Set<string> {
  const ids = new Set<string>();
  for (const e of catalogEntries(ctx)) ids.add(e.slug);
  for (const p of providers(ctx)) ids.add(p.name);
  for (const r of runners(ctx)) ids.add(r.name);
  return ids;
}

export { seg };
