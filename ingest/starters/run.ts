import picomatch from 'picomatch';
import type pg from 'pg';
import { closeAbandonedRuns, RunLedger, takeRunLock } from '../lib/ledger.ts';
import { inTransaction, type RunnerDeps, type RunResult } from '../lib/deps.ts';
import { STARTERS_RUNNER, type StartersConfig } from './config.ts';
import { deployButtonUrl, exampleRepositoryUrl, vercelProjectName } from './deploy-button.ts';
import { readMetadata } from './metadata.ts';

interface TreeEntry {
  path?: string;
  type?: string;
  sha?: string;
}

export interface Starter {
  slug: string;
  title: string;
  framework: string | null;
  tags: string[];
  deploy_url: string;
  tree_sha: string;
}

type Event = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => Promise<void>;

/** Octokit with plugin-retry (5xx, dropped requests) and plugin-throttling (rate limits); loaded lazily. */
async function octokit(config: StartersConfig, deps: RunnerDeps, event: Event, countAttempt: () => void) {
  const [{ Octokit }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const onLimit =
    (kind: string) =>
    async (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number): Promise<boolean> => {
      const again = retryCount < config.rateLimitRetries && retryAfter <= config.maxRetryAfterSeconds;
      await event(
        'warn',
        `GitHub ${kind} on ${options.method} ${options.url}; ${again ? `retrying after ${retryAfter} s` : `giving up after ${retryCount + 1} attempts`}`,
        {
          kind,
          retry_after_s: retryAfter,
          retry_count: retryCount,
          retrying: again,
        },
      );
      return again;
    };
  // plugin-throttling awaits what a limit handler returns (true retries), though its types say `void`.
  const throttle = {
    id: `starters-${config.repository}`,
    retryAfterBaseValue: config.retryAfterUnitMs,
    fallbackSecondaryRateRetryAfter: 60,
    onRateLimit: onLimit('rate limit'),
    onSecondaryRateLimit: onLimit('secondary rate limit'),
  };
  const Client = Octokit.plugin(retry, throttling);
  return new Client({
    auth: config.token,
    baseUrl: config.apiUrl,
    userAgent: 'odooops-starters-ingest',
    // Every HTTP attempt, retries included, is counted for the run's row.
    request: { fetch: ((url: string, init?: RequestInit) => (countAttempt(), deps.fetch(url, init))) as typeof fetch },
    log: { debug: () => {}, info: () => {}, warn: (m: string) => deps.log.warn(`GitHub: ${m}`), error: () => {} },
    retry: { retries: config.retries, retryAfterBaseValue: config.retryAfterUnitMs },
    throttle,
  });
}

/** Starter folders of the tree: folders matching `include` and not `exclude`. */
export function starterFolders(entries: readonly TreeEntry[], include: readonly string[], exclude: readonly string[]): Array<{ path: string; sha: string }> {
  const inc = picomatch([...include], { dot: false });
  const exc = exclude.length ? picomatch([...exclude], { dot: true }) : () => false;
  return entries
    .filter((e): e is Required<TreeEntry> => e.type === 'tree' && typeof e.path === 'string' && typeof e.sha === 'string')
    .filter((e) => inc(e.path) && !exc(e.path))
    .map((e) => ({ path: e.path, sha: e.sha }));
}

/** Runs `fn` over items with at most `n` in flight. */
async function mapLimit<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

const status = (e: unknown): number | undefined => (e as { status?: number })?.status;

/**
 * The vercel/examples starters run (plan tasks 34–37): one recursive git-tree request, made
 * conditional on the last run's ETag (a 304 costs no rate limit and ends the run); then
 * package.json and README of each example folder whose tree sha changed, and one transaction
 * that upserts ops.starters and marks removed examples gone.
 */
export async function runStartersIngest(config: StartersConfig, deps: RunnerDeps): Promise<RunResult> {
  const { clock, redactor } = deps;
  redactor.add(config.tokenSecret, config.token);
  const [owner, repo] = config.repository.split('/') as [string, string];
  const source = config.repository;
  let attempts = 0;

  if (config.dryRun || !deps.pool) {
    if (!config.dryRun) throw new Error('a database pool is required unless --dry-run is given');
    const event: Event = (level, message, data) => {
      deps.log.log(level, message, data);
      return Promise.resolve();
    };
    try {
      const gh = await octokit(config, deps, event, () => attempts++);
      const { starters } = await readTree(gh, config, owner, repo, undefined, new Map(), event);
      const message = `dry run: ${starters?.length ?? 0} starters in ${source}@${config.branch}; nothing written`;
      deps.log.info(message);
      return { status: 'dry-run', message, counts: { examples: starters?.length ?? 0 }, attempts };
    } catch (e) {
      const message = redactor.error(e);
      deps.log.error(message);
      return { status: 'failed', message, counts: {}, attempts };
    }
  }

  const pool = deps.pool;
  const ledger = new RunLedger(pool, STARTERS_RUNNER, clock, redactor, deps.log);
  const lock = await takeRunLock(pool, ledger);
  if (lock.taken !== undefined) return { status: 'locked', runId: ledger.runId, message: lock.taken, counts: {}, attempts: 0 };
  const event: Event = (level, message, data) => ledger.event(level, message, data);
  try {
    await closeAbandonedRuns(pool, STARTERS_RUNNER, clock);
    await ledger.open();
    const last = (
      await pool.query<{ tree_etag: string | null; tree_sha: string | null }>(
        "select tree_etag, tree_sha from ops.starters_ingest_runs where status = 'succeeded' and tree_etag is not null order by started_at desc limit 1",
      )
    ).rows[0];
    await event('info', 'run started', { repository: source, branch: config.branch, api_url: config.apiUrl, conditional: Boolean(last?.tree_etag) });
    const known = new Map(
      (
        await pool.query<{ slug: string; tree_sha: string | null }>('select slug, tree_sha from ops.starters where source = $1 and gone_at is null', [source])
      ).rows.map((r) => [r.slug, r.tree_sha]),
    );
    let read: Awaited<ReturnType<typeof readTree>>;
    try {
      const gh = await octokit(config, deps, event, () => attempts++);
      read = await readTree(gh, config, owner, repo, last?.tree_etag ?? undefined, known, event);
    } catch (e) {
      return await fail(ledger, e, attempts);
    }
    if (read.unchanged) {
      const counts = { unchanged: true, examples: known.size };
      await ledger.close('succeeded', { counts, attempts, extra: { tree_etag: last?.tree_etag ?? null, tree_sha: last?.tree_sha ?? null } });
      const message = `tree unchanged (304 for ETag ${last?.tree_etag ?? 'none'}); nothing else requested or written`;
      await event('info', message, counts);
      return { status: 'succeeded', runId: ledger.runId, message, counts, attempts };
    }
    const { starters = [], fetched = [], etag, treeSha } = read;
    let counts: Record<string, unknown>;
    try {
      counts = await inTransaction(lock.client, () => write(lock.client, source, starters, fetched, clock.now()));
    } catch (e) {
      return await fail(ledger, new Error(`writing ops.starters failed and was rolled back: ${redactor.error(e)}`), attempts);
    }
    counts = { ...counts, without_package_json: read.withoutPackageJson };
    await ledger.close('succeeded', { counts, attempts, extra: { tree_etag: etag ?? null, tree_sha: treeSha ?? null } });
    const message = `run succeeded: ${starters.length} starters (${fetched.length} read, ${String(counts.gone)} gone)`;
    await event('info', message, counts);
    return { status: 'succeeded', runId: ledger.runId, message, counts, attempts };
  } finally {
    await lock.release();
  }
}

async function fail(ledger: RunLedger, e: unknown, attempts: number): Promise<RunResult> {
  const s = status(e);
  const hint =
    s === 401
      ? ' — the token is invalid; set GITHUB_TOKEN to a token with read access to the repository'
      : s === 404
        ? ' — check the repository and branch in the SSOT source and GITHUB_API_URL'
        : '';
  const message = `${e instanceof Error ? e.message : String(e)}${hint}`;
  await ledger.close('failed', { counts: {}, attempts, error: message });
  await ledger.event('error', `run failed: ${message}`, { status: s ?? null, attempts });
  return { status: 'failed', runId: ledger.runId, message: `run failed: ${message}`, counts: {}, attempts };
}

type Gh = Awaited<ReturnType<typeof octokit>>;

async function readTree(
  gh: Gh,
  config: StartersConfig,
  owner: string,
  repo: string,
  etag: string | undefined,
  known: Map<string, string | null>,
  event: Event,
): Promise<{ unchanged?: boolean; starters?: Starter[]; fetched?: Starter[]; etag?: string; treeSha?: string; withoutPackageJson: number }> {
  let tree;
  try {
    tree = await gh.rest.git.getTree({ owner, repo, tree_sha: config.branch, recursive: '1', headers: etag ? { 'if-none-match': etag } : {} });
  } catch (e) {
    if (status(e) === 304) return { unchanged: true, withoutPackageJson: 0 };
    throw e;
  }
  if (tree.data.truncated) {
    throw new Error(
      `the git tree of ${owner}/${repo}@${config.branch} is truncated by GitHub (over its 100,000-entry limit); the listing is incomplete, so nothing is written`,
    );
  }
  const entries = tree.data.tree as TreeEntry[];
  const blobs = new Map(entries.filter((e) => e.type === 'blob' && e.path && e.sha).map((e) => [e.path as string, e.sha as string]));
  const folders = starterFolders(entries, config.include, config.exclude);
  let withoutPackageJson = 0;
  const getBlob = async (sha: string | undefined): Promise<string | undefined> => {
    if (!sha) return undefined;
    const b = await gh.rest.git.getBlob({ owner, repo, file_sha: sha });
    return Buffer.from(b.data.content, b.data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
  };
  const build = async (f: { path: string; sha: string }): Promise<Starter & { changed: boolean }> => {
    const slug = f.path;
    const deploy_url = deployButtonUrl(config.deployButton, {
      repositoryUrl: exampleRepositoryUrl(config.repository, config.branch, f.path),
      slug: vercelProjectName(f.path),
    });
    const hasPkg = blobs.has(`${f.path}/package.json`);
    if (!hasPkg) withoutPackageJson++;
    if (known.get(slug) === f.sha) return { slug, title: '', framework: null, tags: [], deploy_url, tree_sha: f.sha, changed: false };
    const [readme, pkg] = await Promise.all([getBlob(blobs.get(`${f.path}/${config.metadata.file}`)), getBlob(blobs.get(`${f.path}/package.json`))]);
    const meta = readMetadata(f.path, readme, pkg, config.metadata);
    for (const n of meta.notes) await event('warn', n, { slug });
    return { slug, title: meta.title, framework: meta.framework, tags: meta.tags, deploy_url, tree_sha: f.sha, changed: true };
  };
  const all = await mapLimit(folders, config.concurrency, build);
  const strip = ({ changed: _c, ...s }: Starter & { changed: boolean }): Starter => s;
  return {
    starters: all.map(strip),
    fetched: all.filter((s) => s.changed).map(strip),
    etag: tree.headers.etag,
    treeSha: tree.data.sha,
    withoutPackageJson,
  };
}

async function write(client: pg.PoolClient, source: string, starters: Starter[], fetched: Starter[], now: number): Promise<Record<string, unknown>> {
  const at = new Date(now);
  if (fetched.length) {
    await client.query(
      `insert into ops.starters (source, slug, title, framework, tags, deploy_url, tree_sha, updated_at, gone_at)
       select $1, x.slug, x.title, x.framework, x.tags, x.deploy_url, x.tree_sha, $3, null
         from jsonb_to_recordset($2::jsonb) as x(slug text, title text, framework text, tags text[], deploy_url text, tree_sha text)
       on conflict (source, slug) do update set title = excluded.title, framework = excluded.framework, tags = excluded.tags,
         deploy_url = excluded.deploy_url, tree_sha = excluded.tree_sha, updated_at = excluded.updated_at, gone_at = null`,
      [source, JSON.stringify(fetched), at],
    );
  }
  const present = starters.map((s) => s.slug);
  // Unchanged folders keep their row; their deploy URL follows the template.
  const unchanged = starters.filter((s) => !fetched.includes(s));
  if (unchanged.length) {
    await client.query(
      `update ops.starters t set deploy_url = x.deploy_url from jsonb_to_recordset($2::jsonb) as x(slug text, deploy_url text)
        where t.source = $1 and t.slug = x.slug and t.deploy_url is distinct from x.deploy_url`,
      [source, JSON.stringify(unchanged.map((s) => ({ slug: s.slug, deploy_url: s.deploy_url })))],
    );
  }
  const gone = await client.query('update ops.starters set gone_at = $3 where source = $1 and gone_at is null and not (slug = any($2::text[]))', [
    source,
    present,
    at,
  ]);
  return { examples: starters.length, read: fetched.length, unchanged: unchanged.length, gone: gone.rowCount ?? 0 };
}
