import type { SsotReader } from '../lib/config.ts';

export const STARTERS_FILE = 'ssot/sources/github/vercel_examples.yaml';
export const STARTERS_RUNNER = 'starters-ingest';

interface SourceSsot {
  repository: string;
  branch: string;
  include: string[];
  exclude?: string[];
  metadata: { file: string; title: string; framework: string; tags: string[]; fallback_title: string };
  deploy_button: string;
  target_table: string;
  runner: string;
  token_secret: string;
}

export interface StartersConfig {
  /** GITHUB_API_URL, else https://api.github.com. */
  apiUrl: string;
  /** Absent: unauthenticated (60 requests an hour). */
  token?: string;
  tokenSecret: string;
  repository: string;
  branch: string;
  include: string[];
  exclude: string[];
  metadata: SourceSsot['metadata'];
  deployButton: string;
  /** Retries of a 5xx or dropped request (plugin-retry). */
  retries: number;
  /** Retries after a rate limit (plugin-throttling). */
  rateLimitRetries: number;
  /** Longest rate-limit wait accepted, seconds; a longer one fails the run. */
  maxRetryAfterSeconds: number;
  /** Milliseconds per second of `retry-after` (1000; tests shrink it). */
  retryAfterUnitMs: number;
  /** Blob requests in flight at once. */
  concurrency: number;
  dryRun: boolean;
}

export function loadStartersConfig(
  reader: SsotReader,
  env: Readonly<Record<string, string | undefined>>,
  token: string | undefined,
  file = STARTERS_FILE,
): StartersConfig {
  const s = reader.load<SourceSsot>(file);
  if (s.runner !== STARTERS_RUNNER) throw new Error(`${file}: runner is ${s.runner}, this is ${STARTERS_RUNNER}`);
  if (s.target_table !== 'ops.starters') throw new Error(`${file}: target_table is ${s.target_table}; this runner writes ops.starters`);
  return {
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    token,
    tokenSecret: s.token_secret,
    repository: s.repository,
    branch: s.branch,
    include: s.include,
    exclude: s.exclude ?? [],
    metadata: s.metadata,
    deployButton: s.deploy_button,
    retries: 3,
    rateLimitRetries: 2,
    maxRetryAfterSeconds: 120,
    retryAfterUnitMs: 1000,
    concurrency: 8,
    dryRun: false,
  };
}
