/**
 * The ingest runners' command line.
 *   npm run ingest -- do|starters [--database-url URL] [--dry-run]
 *   npm run serve -- mailgun [--port N] [--host H] [--database-url URL]
 * Logs are one JSON object per line on stdout, every secret redacted. Exit codes: 0 succeeded (or
 * a dry run), 1 the run failed, 2 usage or configuration error, 3 another run of the runner holds
 * the lock (this one did nothing).
 */
import { parseArgs } from 'node:util';
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

const USAGE = `usage:
  npm run ingest -- do|starters [--database-url URL] [--dry-run]
  npm run serve -- mailgun [--port N] [--host H] [--database-url URL] [--pool N]
environment: DATABASE_URL, DIGITALOCEAN_API_URL, GITHUB_API_URL, and the secrets by their
registry names in upper case (DIGITALOCEAN_TOKEN, GITHUB_TOKEN, MAILGUN_SIGNING_KEY).`;

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
      const p = pool(databaseUrl, Number(args.values.pool ?? 10), log, redactor);
      const handler = mailgunHandler(config, { pool: p, clock: systemClock, log: log.child({ runner: 'ops-mailgun-ingest' }), redactor });
      const server = serveHandler(handler, log, { bodyLimit: MAX_BODY_BYTES });
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      const addr = server.address();
      log.info('ops-mailgun-ingest listening', { host, port: typeof addr === 'object' && addr ? addr.port : port, paths: config.paths });
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

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
