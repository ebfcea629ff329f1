// The SSOT as the policies read it, in the shapes fixed by docs/ssot.md: where each file lives,
// its documents walked leaf by leaf, and typed readers of the files several policies share.
// Readers never throw: a missing file is a finding where a policy needs it; an unreadable or
// malformed one (reported by files/yaml-wellformed and ssot/schema) yields undefined or nothing.
import { asRecord, isRecord } from '../../gates/core/data.ts';
import type { PolicyFinding } from '../../gates/core/finding.ts';
import { escapeSegment, pointerOf } from '../../gates/core/pointer.ts';
import type { RepoContext } from '../../gates/core/repo.ts';
import { CATALOG_FILE, ENV_DIR, JOBS_FILE, PLATFORM_FILE, REGISTRY_FILE } from '../../gates/core/ssot-files.ts';
import { locatePointer } from '../../gates/core/yaml.ts';

export { asRecord, isRecord };

// Where each SSOT file lives: the one list of gates/core/ssot-files.ts, for the policies that read them.
export * from '../../gates/core/ssot-files.ts';

export const NONPROD_ENVS = ['stage', 'dev'] as const;
export const ALL_ENVS = ['prod', 'stage', 'dev'] as const;

// --- Walking documents ---

/**
 * A scalar reached by `walk`: its pointer, the key it sits under (the parent key for list items),
 * the mapping that holds it (for list items: none), and its value.
 */
export interface Leaf {
  pointer: string;
  key: string | undefined;
  parent: Record<string, unknown> | undefined;
  value: unknown;
}

/** Every scalar of a plain YAML value, depth first, in document order. */
export function walk(value: unknown, visit: (leaf: Leaf) => void): void {
  step(value, visit, '', undefined, undefined);
}

function step(value: unknown, visit: (leaf: Leaf) => void, pointer: string, key: string | undefined, parent: Record<string, unknown> | undefined): void {
  if (Array.isArray(value)) value.forEach((v, i) => step(v, visit, `${pointer}/${i}`, key, undefined));
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) step(v, visit, `${pointer}/${escapeSegment(k)}`, k, value);
  else visit({ pointer, key, parent, value });
}

/** The SSOT YAML files that parsed cleanly, with their first document. */
export function ssotDocs(ctx: RepoContext): Array<{ file: string; data: unknown }> {
  return ctx.memo('ssot/docs', () =>
    ctx
      .glob(['ssot/**/*.yaml', 'ssot/**/*.yml'])
      .map((file) => ({ file, data: ctx.data(file) }))
      .filter((d) => d.data !== undefined),
  );
}

/** 1-based line of what a pointer designates in a YAML file (1 when the file is unreadable). */
export function lineOf(ctx: RepoContext, file: string, pointer: string, at: 'key' | 'value' = 'value'): number {
  const y = ctx.yaml(file);
  return y ? locatePointer(y, pointer, { at }).range.line : 1;
}

/** `the file:line` form used when a finding names another place. */
export function placeOf(ctx: RepoContext, file: string, pointer: string, at: 'key' | 'value' = 'value'): string {
  return `${file}:${lineOf(ctx, file, pointer, at)}`;
}

// --- Secrets, integrations, providers, runners ---

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

// --- Platform limits, environments, mail ---

export type Obj = Record<string, unknown>;

export function envFile(name: string): string {
  return `${ENV_DIR}/${name}.yaml`;
}

/** The message of {@link missingFile}; a policy that uses it declares it as `'missing-file': MISSING_FILE`. */
export const MISSING_FILE = '{{file}} is missing, so {{policy}} cannot check {{what}}; add it in the shape of docs/ssot.md';

/** A required SSOT file that is absent: reported at its path so the finding names what to add. */
export function missingFile(file: string, policy: string, what: string): PolicyFinding {
  return { file, line: 1, messageId: 'missing-file', data: { file, policy, what }, key: 'missing-file' };
}

/** The file's data when it is a mapping; undefined (skip) when unreadable or malformed. */
export function readMap(ctx: RepoContext, file: string): Obj | undefined {
  const d = ctx.data(file);
  return isRecord(d) ? d : undefined;
}

export interface Environment {
  file: string;
  name: string;
  data: Obj;
  mail: Obj;
}

/**
 * The environments in `names`, each with its data; missing ones become findings. The name is the
 * file's stem (docs/ssot.md: `name` equals the file name).
 */
export function environments(ctx: RepoContext, names: readonly string[], policy: string, what: string): { envs: Environment[]; findings: PolicyFinding[] } {
  const envs: Environment[] = [];
  const findings: PolicyFinding[] = [];
  for (const name of names) {
    const file = envFile(name);
    if (!ctx.exists(file)) {
      findings.push(missingFile(file, policy, `${what} of ${name}`));
      continue;
    }
    const data = readMap(ctx, file);
    if (data) envs.push({ file, name, data, mail: asRecord(data.mail) });
  }
  return { envs, findings };
}

/** Every environment file present under ssot/environments/ (sorted), readable or not skipped. */
export function presentEnvironments(ctx: RepoContext): Environment[] {
  const out: Environment[] = [];
  for (const file of ctx.glob(`${ENV_DIR}/*.yaml`)) {
    const data = readMap(ctx, file);
    const name = file.slice(ENV_DIR.length + 1, -'.yaml'.length);
    if (data) out.push({ file, name, data, mail: asRecord(data.mail) });
  }
  return out;
}

/** A platform limit, or why it cannot be had: a missing file is a finding; a bad value is ssot/schema's to report. */
export type LimitRead = { ok: true; value: number } | { ok: false; reason: string; finding?: PolicyFinding };

/** `limits.<key>` of ssot/platform.yaml as a whole number (its schema requires every limit). */
export function platformLimit(ctx: RepoContext, key: string, policy: string, what: string): LimitRead {
  if (!ctx.exists(PLATFORM_FILE)) return { ok: false, reason: `${PLATFORM_FILE} is missing`, finding: missingFile(PLATFORM_FILE, policy, what) };
  const data = readMap(ctx, PLATFORM_FILE);
  if (!data) return { ok: false, reason: `${PLATFORM_FILE} cannot be read as a mapping (files/yaml-wellformed says why)` };
  const v = asRecord(data.limits)[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return { ok: true, value: v };
  const place = v === undefined ? placeOf(ctx, PLATFORM_FILE, '/limits', 'key') : placeOf(ctx, PLATFORM_FILE, pointerOf('limits', key));
  return { ok: false, reason: `limits.${key} is ${v === undefined ? 'not set' : 'not a whole number'} at ${place} (ssot/schema reports it)` };
}

export type Region = 'us' | 'eu';

export const MAILGUN_SMTP_HOSTS: Record<Region, string> = { us: 'smtp.mailgun.org', eu: 'smtp.eu.mailgun.org' };
export const MAILGUN_API_BASES: Record<Region, string> = { us: 'https://api.mailgun.net/v3', eu: 'https://api.eu.mailgun.net/v3' };

export function isRegion(v: unknown): v is Region {
  return v === 'us' || v === 'eu';
}

export function isMailgunHost(v: unknown): boolean {
  return v === MAILGUN_SMTP_HOSTS.us || v === MAILGUN_SMTP_HOSTS.eu;
}

/** How a value reads in a message: as JSON (strings quoted), or `unset`. */
export function show(v: unknown): string {
  return v === undefined ? 'unset' : JSON.stringify(v);
}
