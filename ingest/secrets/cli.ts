/**
 * `npm run ingest -- secrets`: the secret presence audit.
 *
 * Environment: DATABASE_URL (the ops database, which also holds Supabase Vault);
 * GITHUB_TOKEN, GITHUB_API_URL (default https://api.github.com) and SECRETS_AUDIT_GITHUB_REPOSITORY
 * (owner/name; default GITHUB_REPOSITORY) for the GitHub Actions secrets; VERCEL_TOKEN,
 * VERCEL_API_URL (default https://api.vercel.com), VERCEL_PROJECT_ID and optional VERCEL_TEAM_ID
 * for the Vercel environment variables. Prints one line per secret and store — names and
 * presence only, never a value. Exit codes: 0 every checked secret present, 1 one is missing or
 * a check failed, 2 usage or configuration error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { parse } from 'yaml';
import { ENGINE_DIR } from '../../gates/core/artifacts.ts';
import { runSecretAudit, type AuditConfig, type Configured, type RegistrySecret } from './audit.ts';
import { fetchJson } from './http.ts';
import type { GithubStore, VercelStore } from './stores.ts';

export const REGISTRY_FILE = 'ssot/secrets/registry.yaml';
const USAGE = 'usage: npm run ingest -- secrets [--root DIR] [--database-url URL] [--github-repository OWNER/NAME] [--vercel-project ID]';

export interface AuditIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const processIO: AuditIO = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: AuditIO = processIO, fetchImpl: typeof fetch = fetch): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        root: { type: 'string' },
        'database-url': { type: 'string' },
        'github-repository': { type: 'string' },
        'vercel-project': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.stderr(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'secrets') {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  const tokens = [env.GITHUB_TOKEN, env.VERCEL_TOKEN].filter((t): t is string => Boolean(t));
  const databaseUrl = values['database-url'] ?? env.DATABASE_URL;
  const dbPassword = databaseUrl ? safeUrlPassword(databaseUrl) : undefined;
  if (dbPassword) tokens.push(dbPassword);
  const redact = (s: string): string => tokens.reduce((out, t) => out.split(t).join('[redacted]'), s);
  const registry = readRegistry(path.resolve(values.root ?? ENGINE_DIR));
  if (typeof registry === 'string') {
    io.stderr(`secrets audit: ${registry}\n`);
    return 2;
  }
  if (!databaseUrl) {
    io.stderr('secrets audit: every attempt is recorded in ops.secret_sync_runs: pass --database-url or set DATABASE_URL\n');
    return 2;
  }
  const config: AuditConfig = {
    secrets: registry,
    github: githubStore(env, values['github-repository']),
    vercel: vercelStore(env, values['vercel-project']),
    actor: env.GITHUB_ACTOR ? `github:${env.GITHUB_ACTOR}` : 'secrets-audit',
  };
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 5_000, application_name: 'odooops-secrets-audit' });
  pool.on('error', () => undefined);
  try {
    const result = await runSecretAudit(config, { pool, get: fetchJson(fetchImpl), redact });
    const w = Math.max(...result.checks.map((c) => c.secret.length), 6);
    const s = Math.max(...result.checks.map((c) => c.store.length), 5);
    for (const c of result.checks) {
      io.stdout(`${c.status.padEnd(7)}  ${c.secret.padEnd(w)}  ${c.reason ? `${c.store.padEnd(s)}  ${c.reason}` : c.store}\n`);
    }
    const count = (st: string): number => result.checks.filter((c) => c.status === st).length;
    io.stdout(`\naudit ${result.runId}: ${count('present')} present, ${count('missing')} missing, ${count('failed')} failed, ${count('skipped')} skipped (store without a presence check); recorded in ops.secret_sync_runs\n`);
    return count('missing') + count('failed') > 0 ? 1 : 0;
  } catch (e) {
    io.stderr(`secrets audit: could not record the audit in ops.secret_sync_runs: ${redact((e as Error).message)}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

function safeUrlPassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function readRegistry(root: string): Record<string, RegistrySecret> | string {
  const file = path.join(root, REGISTRY_FILE);
  let data: unknown;
  try {
    data = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return `${REGISTRY_FILE} cannot be read: ${(e as Error).message}`;
  }
  const secrets = (data as { secrets?: unknown } | null)?.secrets;
  if (typeof secrets !== 'object' || secrets === null) return `${REGISTRY_FILE} has no secrets mapping`;
  const out: Record<string, RegistrySecret> = {};
  for (const [name, entry] of Object.entries(secrets)) {
    const stores = (entry as { stores?: unknown } | null)?.stores;
    out[name] = { stores: Array.isArray(stores) ? stores.filter((x): x is string => typeof x === 'string') : [] };
  }
  return out;
}

function githubStore(env: NodeJS.ProcessEnv, repository: string | undefined): Configured<GithubStore> {
  const repo = repository ?? env.SECRETS_AUDIT_GITHUB_REPOSITORY ?? env.GITHUB_REPOSITORY;
  if (!env.GITHUB_TOKEN) return { ok: false, reason: 'GITHUB_TOKEN (registry secret github_token) is not set, so GitHub Actions secrets cannot be listed' };
  if (!repo || !/^[\w.-]+\/[\w.-]+$/.test(repo)) return { ok: false, reason: 'no repository to check: set SECRETS_AUDIT_GITHUB_REPOSITORY (owner/name) or pass --github-repository' };
  return { ok: true, value: { apiUrl: env.GITHUB_API_URL || 'https://api.github.com', repository: repo, token: env.GITHUB_TOKEN } };
}

function vercelStore(env: NodeJS.ProcessEnv, project: string | undefined): Configured<VercelStore> {
  const p = project ?? env.VERCEL_PROJECT_ID;
  if (!env.VERCEL_TOKEN) return { ok: false, reason: 'VERCEL_TOKEN (registry secret vercel_token) is not set, so Vercel environment variables cannot be listed' };
  if (!p) return { ok: false, reason: 'no Vercel project to check: set VERCEL_PROJECT_ID or pass --vercel-project' };
  return { ok: true, value: { apiUrl: env.VERCEL_API_URL || 'https://api.vercel.com', project: p, teamId: env.VERCEL_TEAM_ID || undefined, token: env.VERCEL_TOKEN } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
