// The secret presence audit (plan tasks 5, 23): for each secret of the registry and each store the
// registry declares for it, whether the store holds a secret of that name. Every attempt is a row
// of ops.secret_sync_runs — written as `started` before the store is asked, then `succeeded` with
// `present`, or `failed` with the reason — so no attempt is lost, even when the process dies.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  githubSecretNames,
  isCheckedStore,
  nameInStore,
  vaultSecretNames,
  vercelEnvKeys,
  type CheckedStore,
  type GithubStore,
  type HttpGet,
  type VercelStore,
} from './stores.ts';

export interface RegistrySecret {
  stores: readonly string[];
}

/** A store that is configured, or why it is not (the attempt fails with that reason). */
export type Configured<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface AuditConfig {
  secrets: Readonly<Record<string, RegistrySecret>>;
  github: Configured<GithubStore>;
  vercel: Configured<VercelStore>;
  /** Who ran the audit, for the rows' `actor`. */
  actor: string;
}

export interface AuditDeps {
  pool: pg.Pool;
  /** GETs of the GitHub and Vercel APIs. */
  github: HttpGet;
  vercel: HttpGet;
  /** Makes a failure's reason safe to store and print (tokens removed). */
  redact: (s: string) => string;
}

export interface AuditCheck {
  secret: string;
  store: string;
  status: 'present' | 'missing' | 'failed' | 'skipped';
  reason?: string;
}

export interface AuditResult {
  runId: string;
  checks: AuditCheck[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function runSecretAudit(config: AuditConfig, deps: AuditDeps): Promise<AuditResult> {
  const runId = randomUUID();
  const checks: AuditCheck[] = [];
  const perStore = new Map<CheckedStore, string[]>();
  for (const secret of Object.keys(config.secrets).sort(byName)) {
    for (const store of [...(config.secrets[secret]?.stores ?? [])].sort(byName)) {
      if (!isCheckedStore(store)) {
        checks.push({ secret, store, status: 'skipped', reason: `no presence check for ${store}: it has no API that lists names` });
        continue;
      }
      perStore.set(store, [...(perStore.get(store) ?? []), secret]);
    }
  }
  for (const [store, secrets] of [...perStore.entries()].sort((a, b) => byName(a[0], b[0]))) {
    const ids = await startRows(deps.pool, runId, store, secrets, config.actor);
    let held: Set<string> | undefined;
    let reason: string | undefined;
    try {
      held = await namesIn(store, secrets, config, deps);
    } catch (e) {
      reason = deps.redact(e instanceof Error ? e.message : String(e));
    }
    for (const [i, secret] of secrets.entries()) {
      const id = ids[i] as string;
      if (held) {
        const present = held.has(nameInStore(store, secret));
        await deps.pool.query(`update ops.secret_sync_runs set status = 'succeeded', present = $2, finished_at = now() where id = $1`, [id, present]);
        checks.push({ secret, store, status: present ? 'present' : 'missing' });
      } else {
        await deps.pool.query(`update ops.secret_sync_runs set status = 'failed', error = $2, finished_at = now() where id = $1`, [id, reason]);
        checks.push({ secret, store, status: 'failed', reason });
      }
    }
  }
  checks.sort((a, b) => byName(a.secret, b.secret) || byName(a.store, b.store));
  return { runId, checks };
}

async function startRows(pool: pg.Pool, runId: string, store: string, secrets: readonly string[], actor: string): Promise<string[]> {
  const r = await pool.query<{ id: string; secret_name: string }>(
    `insert into ops.secret_sync_runs (run_id, action, secret_name, target_store, status, actor)
     select $1, 'audit', s, $2, 'started', $3 from unnest($4::text[]) with ordinality as t(s, n) order by n
     returning id, secret_name`,
    [runId, store, actor, secrets],
  );
  const bySecret = new Map(r.rows.map((x) => [x.secret_name, x.id]));
  return secrets.map((s) => bySecret.get(s) as string);
}

async function namesIn(store: CheckedStore, secrets: readonly string[], config: AuditConfig, deps: AuditDeps): Promise<Set<string>> {
  if (store === 'github_actions') {
    if (!config.github.ok) throw new Error(config.github.reason);
    return githubSecretNames(deps.github, config.github.value);
  }
  if (store === 'vercel_env') {
    if (!config.vercel.ok) throw new Error(config.vercel.reason);
    return vercelEnvKeys(deps.vercel, config.vercel.value);
  }
  try {
    return await vaultSecretNames(
      deps.pool,
      secrets.map((s) => nameInStore(store, s)),
    );
  } catch (e) {
    throw new Error(`Supabase Vault could not be read: ${(e as Error).message}`);
  }
}
