// Which secrets a store holds, by name only. No request or query here ever asks for a value:
// GitHub lists Actions secrets by name (it never returns values), Vercel's env listing is read
// for its keys without `decrypt`, and Vault is queried for `name` only, never `secret` or
// `vault.decrypted_secrets`.
import type pg from 'pg';

/** The stores whose presence the audit can check, and how a registry name is spelled in each. */
export const CHECKED_STORES = ['github_actions', 'vercel_env', 'supabase_vault'] as const;
export type CheckedStore = (typeof CHECKED_STORES)[number];

export function isCheckedStore(s: string): s is CheckedStore {
  return (CHECKED_STORES as readonly string[]).includes(s);
}

/** The name a registry secret has in a store: GitHub and Vercel use environment-variable case. */
export function nameInStore(store: CheckedStore, secret: string): string {
  return store === 'supabase_vault' ? secret : secret.toUpperCase();
}

export interface HttpGet {
  /** GETs `url` and returns the parsed JSON body, or throws an Error saying what failed. */
  (url: string, headers: Record<string, string>): Promise<unknown>;
}

export interface GithubStore {
  apiUrl: string;
  /** owner/name of the repository whose Actions secrets are checked. */
  repository: string;
  token: string;
}

const PER_PAGE = 100;
/** A bound on pages, so a server that never stops paging cannot hold the audit. */
const MAX_PAGES = 50;

export async function githubSecretNames(get: HttpGet, s: GithubStore): Promise<Set<string>> {
  const names = new Set<string>();
  const headers = { authorization: `Bearer ${s.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
  for (let page = 1; page <= MAX_PAGES; page++) {
    const url = `${s.apiUrl.replace(/\/+$/, '')}/repos/${s.repository}/actions/secrets?per_page=${PER_PAGE}&page=${page}`;
    const body = (await get(url, headers)) as { total_count?: unknown; secrets?: unknown };
    if (!Array.isArray(body?.secrets)) throw new Error(`GitHub answered ${url} without a secrets list`);
    for (const x of body.secrets) if (typeof (x as { name?: unknown })?.name === 'string') names.add((x as { name: string }).name.toUpperCase());
    const total = typeof body.total_count === 'number' ? body.total_count : names.size;
    if (body.secrets.length < PER_PAGE || names.size >= total) return names;
  }
  throw new Error(`GitHub kept paging past ${MAX_PAGES} pages of Actions secrets`);
}

export interface VercelStore {
  apiUrl: string;
  /** Project id or name. */
  project: string;
  teamId?: string | undefined;
  token: string;
}

export async function vercelEnvKeys(get: HttpGet, s: VercelStore): Promise<Set<string>> {
  const keys = new Set<string>();
  const headers = { authorization: `Bearer ${s.token}` };
  const team = s.teamId ? `&teamId=${encodeURIComponent(s.teamId)}` : '';
  let until: number | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const url = `${s.apiUrl.replace(/\/+$/, '')}/v10/projects/${encodeURIComponent(s.project)}/env?decrypt=false${team}${until !== undefined ? `&until=${until}` : ''}`;
    const body = (await get(url, headers)) as { envs?: unknown; pagination?: { next?: unknown } };
    if (!Array.isArray(body?.envs)) throw new Error(`Vercel answered ${url} without an envs list`);
    // Only the key is kept; whatever else an entry carries is dropped here.
    for (const e of body.envs) if (typeof (e as { key?: unknown })?.key === 'string') keys.add((e as { key: string }).key.toUpperCase());
    const next = body.pagination?.next;
    if (typeof next !== 'number') return keys;
    until = next;
  }
  throw new Error(`Vercel kept paging past ${MAX_PAGES} pages of environment variables`);
}

/** The names among `names` that Supabase Vault holds. */
export async function vaultSecretNames(pool: pg.Pool, names: readonly string[]): Promise<Set<string>> {
  const r = await pool.query<{ name: string }>('select name from vault.secrets where name = any($1::text[])', [names]);
  return new Set(r.rows.map((x) => x.name));
}
