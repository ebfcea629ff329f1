/**
 * The ingest runners' command line.
 *   npm run ingest -- do|starters [--database-url URL] [--dry-run]
 *   npm run ingest -- secrets [--database-url URL] [--github-repository OWNER/NAME] [--vercel-project ID]
 *   npm run serve -- mailgun [--port N] [--host H] [--database-url URL] [--pool N] [--workers N]
 * Logs are one JSON object per line on stdout, every secret redacted. Exit codes: 0 succeeded (or
 * a dry run), 1 the run failed, 2 usage or configuration error, 3 another run of the runner holds
 * the lock (this one did nothing).
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import cluster from 'node:cluster';
import pg from 'pg';
import { systemClock } from './lib/clock.ts';
import { ConfigError, SsotReader } from './lib/config.ts';
import type { RunnerDeps, RunResult } from './lib/deps.ts';
import { jsonLogger, type Logger } from './lib/log.ts';
import { Redactor } from './lib/redact.ts';
import { SecretError, Secrets } from './lib/secrets.ts';
import { serveHandler } from './lib/serve.ts';
import { DO_RUNNER, loadDoConfig } from './do/config.ts';
import { runDoIngest } from './do/run.ts';
import { loadMailgunConfig, MAX_BODY_BYTES } from './mailgun/config.ts';
import { mailgunHandler } from './mailgun/handler.ts';
import { loadStartersConfig, STARTERS_RUNNER } from './starters/config.ts';
import { runStartersIngest } from './starters/run.ts';
import { secretsAudit } from './secrets/command.ts';

const USAGE = `usage:
  npm run ingest -- do|starters [--database-url URL] [--dry-run]
  npm run serve -- mailgun [--port N] [--host H] [--database-url URL] [--pool N] [--workers N]
environment: DATABASE_URL, DIGITALOCEAN_API_URL, GITHUB_API_URL, and the secrets by their
registry names in upper case (DIGITALOCEAN_TOKEN, GITHUB_TOKEN, MAILGUN_SIGNING_KEY); the secrets
audit also reads VERCEL_TOKEN, VERCEL_API_URL, VERCEL_PROJECT_ID, VERCEL_TEAM_ID and
SECRETS_AUDIT_GITHUB_REPOSITORY (default GITHUB_REPOSITORY).`;

function pool(url: string, max: number, log: Logger, redactor: Redactor): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000, application_name: 'odooops-ingest' });
  // An idle connection cut by the server must not end the process; the next query reconnects.
  p.on('error', (e) => log.warn('idle database connection lost', { error: redactor.error(e) }));
  return p;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const redactor = new Redactor();
  const log = jsonLogger((line) => process.stdout.write(line), redactor);
  let args: ReturnType<typeof parse>;
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      allowPositionals: true,
      options: {
        'database-url': { type: 'string' },
        'dry-run': { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        pool: { type: 'string' },
        'github-repository': { type: 'string' },
        'vercel-project': { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  try {
    args = parse(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, target, ...rest] = args.positionals;
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (rest.length || !command || !target) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const databaseUrl = args.values['database-url'] ?? env.DATABASE_URL;
  if (databaseUrl) redactor.add('database_url', new URL(databaseUrl).password || undefined);
  try {
    const reader = new SsotReader();
    const secrets = Secrets.load(reader, env, redactor);
    secrets.redactAll();

    if (command === 'serve' && target === 'mailgun') {
      if (!databaseUrl) throw new SecretError('the webhook needs a database: pass --database-url or set DATABASE_URL');
      const config = loadMailgunConfig(reader, secrets);
      const port = Number(args.values.port ?? env.PORT ?? 8787);
      const host = args.values.host ?? '127.0.0.1';
      const workers = Number(args.values.workers ?? 1);
      if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new SecretError('--workers takes 1 to 16');
      if (workers > 1 && cluster.isPrimary) {
        // node:cluster: the workers share the listening socket; each has its own pool.
        for (let i = 0; i < workers; i++) cluster.fork();
        let exited = 0;
        await new Promise<void>((resolve) => {
          cluster.on('exit', (w, code) => {
            log.info('worker exited', { worker: w.id, code });
            if (++exited === workers) resolve();
          });
          const stop = (): void => {
            for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        return 0;
      }
      const p = pool(databaseUrl, Number(args.values.pool ?? 10), log, redactor);
      const handler = mailgunHandler(config, { pool: p, clock: systemClock, log: log.child({ runner: 'ops-mailgun-ingest' }), redactor });
      const server = serveHandler(handler, log, { bodyLimit: MAX_BODY_BYTES });
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      const addr = server.address();
      log.info('ops-mailgun-ingest listening', {
        worker: cluster.worker?.id ?? 0,
        host,
        port: typeof addr === 'object' && addr ? addr.port : port,
        paths: config.paths,
      });
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          log.info('stopping');
          server.close(() => resolve());
          server.closeIdleConnections();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await p.end();
      return 0;
    }

    if (command === 'ingest' && target === 'secrets') {
      return await secretsAudit({
        secrets,
        redactor,
        env,
        databaseUrl,
        githubRepository: args.values['github-repository'],
        vercelProject: args.values['vercel-project'],
        fetch,
        clock: systemClock,
        write: (s) => process.stdout.write(s),
      });
    }

    if (command !== 'ingest' || (target !== 'do' && target !== 'starters')) {
      process.stderr.write(`unknown command: ${command} ${target}\n${USAGE}\n`);
      return 2;
    }
    const dryRun = args.values['dry-run'] ?? false;
    if (!dryRun && !databaseUrl) throw new SecretError('a run writes to Postgres: pass --database-url or set DATABASE_URL (or --dry-run to only read)');
    const p = dryRun ? undefined : pool(databaseUrl as string, 3, log, redactor);
    const deps: RunnerDeps = { fetch, pool: p, clock: systemClock, log, redactor };
    let result: RunResult;
    try {
      if (target === 'do') {
        const config = loadDoConfig(reader, env, secrets.require('digitalocean_token', DO_RUNNER));
        result = await runDoIngest({ ...config, dryRun }, deps);
      } else {
        const config = loadStartersConfig(reader, env, secrets.find('github_token', STARTERS_RUNNER));
        result = await runStartersIngest({ ...config, dryRun }, deps);
      }
    } finally {
      await p?.end();
    }
    return result.status === 'failed' ? 1 : result.status === 'locked' ? 3 : 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof SecretError) {
      log.error(redactor.error(e));
      return 2;
    }
    log.error(`internal error: ${redactor.error(e)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
  // A cluster worker keeps its channel to the primary open; let it go so the process ends.
  if (cluster.isWorker) cluster.worker?.disconnect();
}
