import type { PolicyFinding } from '../../../gates/core/finding.ts';
import type { RepoContext } from '../../../gates/core/repo.ts';

// Readers of the SSOT files the parity and mail policies share, in the shapes fixed by docs/ssot.md.
// They never throw: a missing file is a finding; an unreadable or malformed one (reported by
// files/yaml-wellformed and ssot/schema) yields undefined and the caller skips it.

export const PLATFORM_FILE = 'ssot/platform.yaml';
export const JOBS_FILE = 'ssot/jobs.yaml';
export const MAILGUN_FILE = 'ssot/integrations/mailgun.yaml';
export const ENV_DIR = 'ssot/environments';
export const NONPROD_ENVS = ['stage', 'dev'] as const;
export const ALL_ENVS = ['prod', 'stage', 'dev'] as const;

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

export function envFile(name: string): string {
  return `${ENV_DIR}/${name}.yaml`;
}

/** JSON pointer segment escaping (RFC 6901). */
export function esc(seg: string | number): string {
  return String(seg).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A required SSOT file that is absent: reported at its path so the finding names what to add. */
export function missingFile(file: string, policy: string, what: string): PolicyFinding {
  return {
    file,
    line: 1,
    message: `${file} is missing, so ${policy} cannot check ${what}; add it in the shape of docs/ssot.md`,
    key: 'missing-file',
  };
}

/** The file's data when it is a mapping; undefined (skip) when unreadable or malformed. */
export function readMap(ctx: RepoContext, file: string): Obj | undefined {
  const d = ctx.data(file);
  return isObj(d) ? d : undefined;
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
export function environments(
  ctx: RepoContext,
  names: readonly string[],
  policy: string,
  what: string,
): { envs: Environment[]; findings: PolicyFinding[] } {
  const envs: Environment[] = [];
  const findings: PolicyFinding[] = [];
  for (const name of names) {
    const file = envFile(name);
    if (!ctx.exists(file)) {
      findings.push(missingFile(file, policy, `${what} of ${name}`));
      continue;
    }
    const data = readMap(ctx, file);
    if (data) envs.push({ file, name, data, mail: obj(data.mail) });
  }
  return { envs, findings };
}

/** Every environment file present under ssot/environments/ (sorted), readable or not skipped. */
export function presentEnvironments(ctx: RepoContext): Environment[] {
  const out: Environment[] = [];
  for (const file of ctx.glob(`${ENV_DIR}/*.yaml`)) {
    const data = readMap(ctx, file);
    const name = file.slice(ENV_DIR.length + 1, -'.yaml'.length);
    if (data) out.push({ file, name, data, mail: obj(data.mail) });
  }
  return out;
}

export interface Limits {
  file: string;
  limits: Obj;
}

/** ssot/platform.yaml's `limits`, or the findings that say why it is not there. */
export function platformLimits(ctx: RepoContext, policy: string, what: string): { limits?: Limits; findings: PolicyFinding[] } {
  if (!ctx.exists(PLATFORM_FILE)) return { findings: [missingFile(PLATFORM_FILE, policy, what)] };
  const data = readMap(ctx, PLATFORM_FILE);
  if (!data) return { findings: [] };
  return { limits: { file: PLATFORM_FILE, limits: obj(data.limits) }, findings: [] };
}

/** A limit as a non-negative integer, or a finding at the limit's place in platform.yaml. */
export function limit(l: Limits, key: string, purpose: string): { value?: number; finding?: PolicyFinding } {
  const v = l.limits[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return { value: v };
  return {
    finding: {
      file: l.file,
      pointer: `/limits/${esc(key)}`,
      message: `limits.${key} is ${v === undefined ? 'not set' : 'not a non-negative integer'}; it is the platform maximum for ${purpose} — set it as in docs/ssot.md`,
      key: `limit:${key}`,
    },
  };
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
