// The nav-route smoke test (plan task 2): build the console if it has no build, start it on a free
// loopback port with `next start`, request every route of ssot/console/nav.yaml, follow redirects
// and name them, and fail at the nav line on a 404 or a 5xx.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { Repo } from '../core/repo.ts';
import { locatePointer } from '../core/yaml.ts';

import { NAV_FILE } from '../core/ssot-files.ts';
const MAX_REDIRECTS = 5;
/** How much of a failed build's output a report keeps. */
const OUTPUT_TAIL_LINES = 30;

export interface SmokeOptions {
  /** The repository holding ssot/console/nav.yaml. */
  root: string;
  /** The console's Next.js app; default: `app_dir` of nav.yaml, relative to the root. */
  appDir?: string | undefined;
  /** Rebuild even when a build exists. */
  rebuild?: boolean;
  env?: NodeJS.ProcessEnv;
  buildTimeoutMs?: number;
  startTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Progress lines (build started, server ready …). */
  log?: (line: string) => void;
}

export interface Hop {
  status: number;
  /** The path (or URL, when it leaves the server) the redirect points at. */
  location: string;
}

export interface RouteCheck {
  path: string;
  label: string | undefined;
  /** Where the route's `path` is in nav.yaml. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The final status; undefined when no answer came. */
  status: number | undefined;
  redirects: Hop[];
  ok: boolean;
  /** Why it failed, or a note (e.g. a redirect off the server that was not followed). */
  detail: string | undefined;
  ms: number;
}

export type SmokeOutcome =
  | { kind: 'ran'; appDir: string; built: boolean; buildMs: number | undefined; startMs: number; smokeMs: number; routes: RouteCheck[] }
  | { kind: 'build-failed'; appDir: string; buildMs: number; exitCode: number | null; output: string }
  | { kind: 'error'; message: string };

interface NavEntry {
  path: string;
  label: string | undefined;
  range: { line: number; column: number; endLine: number; endColumn: number };
}

function readNav(root: string): { routes: NavEntry[]; appDir: string | undefined } | string {
  const repo = new Repo({ root, artifactsDir: path.join(root, 'artifacts') });
  if (!repo.exists(NAV_FILE)) return `${NAV_FILE} does not exist under ${root}`;
  const file = repo.yaml(NAV_FILE);
  const data = repo.data(NAV_FILE) as { routes?: unknown; app_dir?: unknown } | undefined;
  if (!file || !data || !Array.isArray(data.routes)) return `${NAV_FILE} cannot be read as a nav (a YAML mapping with a \`routes\` list)`;
  const routes: NavEntry[] = [];
  data.routes.forEach((r: unknown, i) => {
    const { path: p, label } = (r ?? {}) as { path?: unknown; label?: unknown };
    if (typeof p !== 'string') return;
    routes.push({ path: p, label: typeof label === 'string' ? label : undefined, range: locatePointer(file, `/routes/${i}/path`).range });
  });
  return { routes, appDir: typeof data.app_dir === 'string' ? data.app_dir : undefined };
}

export async function smokeRoutes(opts: SmokeOptions): Promise<SmokeOutcome> {
  const log = opts.log ?? (() => undefined);
  const nav = readNav(opts.root);
  if (typeof nav === 'string') return { kind: 'error', message: nav };
  const configured = opts.appDir ?? nav.appDir;
  if (configured === undefined) return { kind: 'error', message: `neither --app-dir nor app_dir in ${NAV_FILE} names the console's Next.js app` };
  const appDir = path.resolve(opts.root, configured);
  if (!fs.existsSync(appDir) || !fs.statSync(appDir).isDirectory()) return { kind: 'error', message: `the app dir ${configured} does not exist` };
  let nextBin: string;
  try {
    nextBin = createRequire(path.join(appDir, 'package.json')).resolve('next/dist/bin/next');
  } catch {
    return { kind: 'error', message: `next cannot be resolved from ${configured}; install the console's dependencies there (npm ci)` };
  }
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' };

  let built = false;
  let buildMs: number | undefined;
  if (opts.rebuild || !fs.existsSync(path.join(appDir, '.next', 'BUILD_ID'))) {
    log(`next build in ${configured} …`);
    const t0 = performance.now();
    const b = await run(nextBin, ['build'], appDir, env, opts.buildTimeoutMs ?? 15 * 60_000);
    buildMs = performance.now() - t0;
    if (b.exitCode !== 0) return { kind: 'build-failed', appDir, buildMs, exitCode: b.exitCode, output: tail(b.output) };
    built = true;
    log(`built in ${(buildMs / 1000).toFixed(1)} s`);
  }

  const t1 = performance.now();
  const server = await startServer(nextBin, appDir, env, opts.startTimeoutMs ?? 60_000);
  if ('error' in server) return { kind: 'error', message: server.error };
  const startMs = performance.now() - t1;
  log(`next start on ${server.origin} ready in ${(startMs / 1000).toFixed(1)} s`);
  try {
    const t2 = performance.now();
    const routes: RouteCheck[] = [];
    for (const r of nav.routes) routes.push(await checkRoute(server.origin, r, opts.requestTimeoutMs ?? 30_000));
    return { kind: 'ran', appDir, built, buildMs, startMs, smokeMs: performance.now() - t2, routes };
  } finally {
    await stop(server.child);
  }
}

async function checkRoute(origin: string, r: NavEntry, timeoutMs: number): Promise<RouteCheck> {
  const t0 = performance.now();
  const base = { path: r.path, label: r.label, ...r.range, redirects: [] as Hop[] };
  const done = (status: number | undefined, ok: boolean, detail?: string): RouteCheck => ({ ...base, status, ok, detail, ms: performance.now() - t0 });
  if (!r.path.startsWith('/')) return done(undefined, false, `${r.path} is not a URL path`);
  let url = new URL(r.path, origin);
  const seen = new Set<string>([url.href]);
  for (;;) {
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
    } catch (e) {
      const why = e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : `the request failed: ${(e as Error).message}`;
      return done(undefined, false, why);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      const shown = next.origin === origin ? `${next.pathname}${next.search}` : next.href;
      base.redirects.push({ status: res.status, location: shown });
      if (next.origin !== origin) return done(res.status, true, `redirects off the server to ${next.href} (not followed)`);
      if (seen.has(next.href)) return done(res.status, false, `redirect loop back to ${shown}`);
      if (base.redirects.length > MAX_REDIRECTS) return done(res.status, false, `more than ${MAX_REDIRECTS} redirects`);
      seen.add(next.href);
      url = next;
      continue;
    }
    if (res.status === 404) return done(404, false, 'answers 404 (no page serves it)');
    if (res.status >= 500) return done(res.status, false, `answers ${res.status} (the page fails on the server)`);
    return done(res.status, true);
  }
}

function run(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (b: Buffer): void => {
      output = (output + b.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const timer = setTimeout(() => {
      output += `\n(stopped after ${timeoutMs / 1000} s)`;
      kill(child, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, output });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ exitCode: null, output: `${output}\n${e.message}` });
    });
  });
}

/** A port free on 127.0.0.1 at the time of asking. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function startServer(
  bin: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ origin: string; child: ChildProcess } | { error: string }> {
  let last = '';
  // Another process may take the port between asking and listening: try a second one.
  for (let attempt = 0; attempt < 2; attempt++) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [bin, 'start', '-H', '127.0.0.1', '-p', String(port)], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let exited = false;
    child.stdout?.on('data', (b: Buffer) => (output = (output + b.toString('utf8')).slice(-16 * 1024)));
    child.stderr?.on('data', (b: Buffer) => (output = (output + b.toString('utf8')).slice(-16 * 1024)));
    child.on('exit', () => (exited = true));
    const deadline = Date.now() + timeoutMs;
    while (!exited && Date.now() < deadline) {
      try {
        const res = await fetch(`${origin}/`, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        return { origin, child };
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await stop(child);
    last = exited
      ? `next start exited before it answered:\n${tail(output)}`
      : `next start did not answer on ${origin} within ${timeoutMs / 1000} s:\n${tail(output)}`;
    if (!/EADDRINUSE/.test(output)) break;
  }
  return { error: last };
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // The child leads its own process group (detached): stop it and whatever it started.
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  kill(child, 'SIGTERM');
  const timer = setTimeout(() => kill(child, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function tail(output: string): string {
  return output.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
}
