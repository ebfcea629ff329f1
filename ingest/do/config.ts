import type { SsotReader } from '../lib/config.ts';

export const DO_PROVIDER_FILE = 'ssot/providers/digitalocean/provider.yaml';
export const DO_RUNNER = 'ops-do-ingest';

interface ProviderSsot {
  api_base: string;
  token_secret: string;
  runner: string;
  retry: { max_retries: number; on: number[]; base_delay_ms: number; max_delay_ms: number };
  resources: Array<{ name: string; endpoint: string; table: string; per_page: number }>;
}

export interface DoConfig {
  /** Where the API is: DIGITALOCEAN_API_URL, else the SSOT's api_base. */
  baseUrl: string;
  token: string;
  tokenSecret: string;
  resources: Array<{ name: string; endpoint: string; table: string; perPage: number }>;
  retry: { maxRetries: number; retryOn: number[]; baseDelayMs: number; maxDelayMs: number };
  /** Pages read per resource at most; a longer listing fails the run. */
  maxPages: number;
  /** The whole run must finish within this (clock ms). */
  runDeadlineMs: number;
  /** Real-time cap of one request. */
  requestTimeoutMs: number;
  dryRun: boolean;
}

export function loadDoConfig(reader: SsotReader, env: Readonly<Record<string, string | undefined>>, token: string): DoConfig {
  const p = reader.load<ProviderSsot>(DO_PROVIDER_FILE);
  if (p.runner !== DO_RUNNER) throw new Error(`${DO_PROVIDER_FILE}: runner is ${p.runner}, this is ${DO_RUNNER}`);
  return {
    baseUrl: env.DIGITALOCEAN_API_URL || p.api_base,
    token,
    tokenSecret: p.token_secret,
    resources: p.resources.map((r) => ({ name: r.name, endpoint: r.endpoint, table: r.table, perPage: r.per_page })),
    retry: { maxRetries: p.retry.max_retries, retryOn: p.retry.on, baseDelayMs: p.retry.base_delay_ms, maxDelayMs: p.retry.max_delay_ms },
    maxPages: 100,
    runDeadlineMs: 10 * 60_000,
    requestTimeoutMs: 30_000,
    dryRun: false,
  };
}
