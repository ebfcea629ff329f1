// `npm run ingest -- secrets`: the secret presence audit on the ingest runners' shared parts — the
// secret lookup (tokens by registry name, registered for redaction) and the HTTP client with
// bounded retries. Prints one line per secret and store: names and presence only.
import pg from 'pg';
import type { Clock } from '../lib/clock.ts';
import { HttpClient } from '../lib/http.ts';
import type { Redactor } from '../lib/redact.ts';
import type { Secrets } from '../lib/secrets.ts';
import { runSecretAudit, type AuditConfig, type Configured } from './audit.ts';
import type { GithubStore, HttpGet, VercelStore } from './stores.ts';

export const AUDIT_RUNNER = 'secrets-audit';
/** How long the whole audit may take, retries included. */
const DEADLINE_MS = 5 * 60_000;

export interface SecretsAuditInput {
  secrets: Secrets;
  redactor: Redactor;
  env: NodeJS.ProcessEnv;
  databaseUrl: string | undefined;
  githubRepository?: string | undefined;
  vercelProject?: string | undefined;
  fetch: typeof fetch;
  clock: Clock;
  write: (s: string) => void;
}

/** Runs the audit. Exit code: 0 every checked secret present, 1 one is missing or a check failed, 2 no database. */
export async function secretsAudit(input: SecretsAuditInput): Promise<number> {
  const { env, redactor } = input;
  if (!input.databaseUrl) {
    input.write('secrets audit: every attempt is recorded in ops.secret_sync_runs: pass --database-url or set DATABASE_URL\n');
    return 2;
  }
  const config: AuditConfig = {
    secrets: input.secrets.registry.secrets,
    github: githubStore(input),
    vercel: vercelStore(input),
    actor: env.GITHUB_ACTOR ? `github:${env.GITHUB_ACTOR}` : AUDIT_RUNNER,
  };
  const deadline = input.clock.now() + DEADLINE_MS;
  const getter = (service: string): HttpGet => {
    const client = new HttpClient({
      service,
      fetch: input.fetch,
      clock: input.clock,
      retry: { maxRetries: 2, retryOn: [429, 500, 502, 503, 504], baseDelayMs: 1_000, maxDelayMs: 10_000 },
      deadline,
      timeoutMs: 30_000,
      redactor,
    });
    return async (url, headers) => {
      const r = await client.get(url, headers);
      try {
        return JSON.parse(r.text) as unknown;
      } catch {
        throw new Error(`${service} GET ${url} answered ${r.status} with a body that is not JSON`);
      }
    };
  };
  const pool = new pg.Pool({ connectionString: input.databaseUrl, max: 2, connectionTimeoutMillis: 5_000, application_name: 'odooops-secrets-audit' });
  pool.on('error', () => undefined);
  try {
    const result = await runSecretAudit(config, { pool, github: getter('GitHub'), vercel: getter('Vercel'), redact: (s) => redactor.text(s) });
    const w = Math.max(...result.checks.map((c) => c.secret.length), 6);
    const s = Math.max(...result.checks.map((c) => c.store.length), 5);
    for (const c of result.checks) {
      input.write(`${c.status.padEnd(7)}  ${c.secret.padEnd(w)}  ${c.reason ? `${c.store.padEnd(s)}  ${c.reason}` : c.store}\n`);
    }
    const count = (st: string): number => result.checks.filter((c) => c.status === st).length;
    input.write(
      `\naudit ${result.runId}: ${count('present')} present, ${count('missing')} missing, ${count('failed')} failed, ${count('skipped')} skipped (store without a presence check); recorded in ops.secret_sync_runs\n`,
    );
    return count('missing') + count('failed') > 0 ? 1 : 0;
  } catch (e) {
    input.write(`secrets audit: could not record the audit in ops.secret_sync_runs: ${redactor.error(e)}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

function githubStore(input: SecretsAuditInput): Configured<GithubStore> {
  const { env } = input;
  const repo = input.githubRepository ?? env.SECRETS_AUDIT_GITHUB_REPOSITORY ?? env.GITHUB_REPOSITORY;
  const token = input.secrets.find('github_token', 'github');
  if (!token) return { ok: false, reason: 'GITHUB_TOKEN (registry secret github_token) is not set, so GitHub Actions secrets cannot be listed' };
  if (!repo || !/^[\w.-]+\/[\w.-]+$/.test(repo))
    return { ok: false, reason: 'no repository to check: set SECRETS_AUDIT_GITHUB_REPOSITORY (owner/name) or pass --github-repository' };
  return { ok: true, value: { apiUrl: env.GITHUB_API_URL || 'https://api.github.com', repository: repo, token } };
}

function vercelStore(input: SecretsAuditInput): Configured<VercelStore> {
  const { env } = input;
  const project = input.vercelProject ?? env.VERCEL_PROJECT_ID;
  const token = input.secrets.find('vercel_token', 'vercel');
  if (!token) return { ok: false, reason: 'VERCEL_TOKEN (registry secret vercel_token) is not set, so Vercel environment variables cannot be listed' };
  if (!project) return { ok: false, reason: 'no Vercel project to check: set VERCEL_PROJECT_ID or pass --vercel-project' };
  return { ok: true, value: { apiUrl: env.VERCEL_API_URL || 'https://api.vercel.com', project, teamId: env.VERCEL_TEAM_ID || undefined, token } };
}
