// `gates routes smoke` on the test console (test/apps/console-smoke): a real `next build` and
// `next start`, every nav route requested over loopback HTTP.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../gates/main.ts';
import { renderSmoke } from '../gates/smoke/report.ts';
import { useTrees } from './helpers/tree.ts';

const tree = useTrees();
const here = path.dirname(fileURLToPath(import.meta.url));
const APP = path.join(here, 'apps', 'console-smoke');
const KEY_FILE = path.join(APP, '.next', 'smoke-test-key');

/** What a build depends on: the app's files, the Next.js and React versions and Node's. */
function buildKey(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name === '.next' || e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else
        h.update(`${path.relative(APP, p)}\0`)
          .update(fs.readFileSync(p))
          .update('\0');
    }
  };
  walk(APP);
  for (const pkg of ['next', 'react', 'react-dom']) h.update(fs.readFileSync(path.join(here, '..', 'node_modules', pkg, 'package.json')));
  return h.update(process.version).digest('hex');
}

function io(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const { GITHUB_ACTIONS: _ignored, ...inherited } = process.env;
  const value: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ...inherited, ...env }, cwd, isTTY: false };
  return { io: value, out, err };
}

const NAV = `version: 1
routes:
  - {path: /, label: Overview}
  - {path: /logs, label: Logs}
  - {path: /old-logs, label: Old logs}
  - {path: /platform/digitalocean, label: DigitalOcean}
  - {path: /legacy, label: Legacy}
  - {path: /metrics, label: Metrics}
  - {path: /advisor, label: Advisor}
  - {path: /docs, label: Docs}
  - {path: /loop-a, label: Loop}
`;

/** Drops the timings, which vary from run to run. */
const stable = (s: string): string => s.replace(/ \d+ ms$/gm, '').replace(/(built|ready|checked) in [\d.]+ s/g, '$1 in …');

describe('gates routes smoke on a real Next.js build', () => {
  beforeAll(() => {
    // A build is reused only when it was made from exactly these files and versions.
    const key = buildKey();
    const kept = fs.existsSync(KEY_FILE) ? fs.readFileSync(KEY_FILE, 'utf8') : undefined;
    if (kept !== key) fs.rmSync(path.join(APP, '.next'), { recursive: true, force: true });
  });

  it('builds, starts and requests every nav route; fails at the nav line of the 404, the 500 and a redirect loop; names each redirect', async () => {
    const root = tree({ 'ssot/console/nav.yaml': NAV });
    const { io: cli, out, err } = io(root);
    const code = await main(['routes', 'smoke', '--app-dir', APP], cli);
    if (fs.existsSync(path.join(APP, '.next', 'BUILD_ID'))) fs.writeFileSync(KEY_FILE, buildKey());
    expect(err.join('')).toMatch(/next start on http:\/\/127\.0\.0\.1:\d+ ready in/);
    const lines = stable(out.join('')).trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual([
      'ok   / 200',
      'ok   /logs 200',
      'ok   /old-logs → 307 /logs 200',
      'ok   /platform/digitalocean 200',
      'ok   /legacy 200',
      'FAIL /metrics 500',
      'FAIL /advisor 404',
      'ok   /docs → 307 https://docs.example.com/console 307 (redirects off the server to https://docs.example.com/console (not followed))',
      'FAIL /loop-a → 307 /loop-b → 307 /loop-a 307',
      '',
      'ssot/console/nav.yaml:8:12 error nav route /metrics (Metrics) answers 500 (the page fails on the server) in the production build — add or fix its page, or correct the nav [routes/smoke]',
      'ssot/console/nav.yaml:9:12 error nav route /advisor (Advisor) answers 404 (no page serves it) in the production build — add or fix its page, or correct the nav [routes/smoke]',
      'ssot/console/nav.yaml:11:12 error nav route /loop-a (Loop), after redirects → 307 /loop-b → 307 /loop-a, redirect loop back to /loop-a in the production build — add or fix its page, or correct the nav [routes/smoke]',
      '',
    ]);
    expect(lines.at(-1)).toMatch(/^6\/9 nav routes answered; (built in …|existing build), server ready in …, routes checked in …$/);
    expect(code).toBe(1);
  }, 900_000);

  it('passes when every nav route answers, and in GitHub Actions writes each failure as a workflow command at the nav line', async () => {
    const good = tree({ 'ssot/console/nav.yaml': 'version: 1\nroutes:\n  - {path: /, label: Overview}\n  - {path: /legacy, label: Legacy}\n' });
    const ok = io(good);
    expect(await main(['routes', 'smoke', '--app-dir', APP], ok.io)).toBe(0);
    expect(stable(ok.out.join(''))).toBe('ok   / 200\nok   /legacy 200\n\n2/2 nav routes answered; existing build, server ready in …, routes checked in …\n');

    const bad = tree({ 'ssot/console/nav.yaml': 'version: 1\nroutes:\n  - {path: /advisor, label: Advisor}\n' });
    const gh = io(bad, { GITHUB_ACTIONS: 'true' });
    expect(await main(['routes', 'smoke', '--app-dir', APP], gh.io)).toBe(1);
    expect(gh.out.join('')).toContain(
      '::error file=ssot/console/nav.yaml,line=3,col=12,endColumn=20,title=routes/smoke::nav route /advisor (Advisor) answers 404 (no page serves it) in the production build — add or fix its page, or correct the nav\n',
    );
  }, 600_000);

  it('is a usage-level error, never a pass, when the app dir is missing or cannot resolve next', async () => {
    const root = tree({ 'ssot/console/nav.yaml': NAV });
    const missing = io(root);
    expect(await main(['routes', 'smoke', '--app-dir', 'nowhere'], missing.io)).toBe(2);
    expect(missing.err.join('')).toBe('gates: routes smoke: the app dir nowhere does not exist\n');
    const noNav = io(tree({ 'README.md': 'x\n' }));
    expect(await main(['routes', 'smoke', '--app-dir', APP], noNav.io)).toBe(2);
    expect(noNav.err.join('')).toMatch(/ssot\/console\/nav\.yaml does not exist/);
  });
});

describe('what routes smoke prints when the console cannot be built', () => {
  it('fails at nav.yaml with the tail of the build output, also as a workflow command', () => {
    const outcome = {
      kind: 'build-failed',
      appDir: '/ci/odooops-console',
      buildMs: 12_345,
      exitCode: 1,
      output: 'Failed to compile.\n./app/page.tsx: Unexpected token',
    } as const;
    expect(renderSmoke(outcome, { githubActions: false })).toEqual({
      stdout:
        'ssot/console/nav.yaml:1:1 error next build failed in /ci/odooops-console (exit 1, after 12.3 s), so no nav route can be served:\nFailed to compile.\n./app/page.tsx: Unexpected token [routes/smoke]\n',
      stderr: '',
      exitCode: 1,
    });
    expect(renderSmoke(outcome, { githubActions: true }).stdout.split('\n')[0]).toBe(
      '::error file=ssot/console/nav.yaml,line=1,title=routes/smoke::next build failed in /ci/odooops-console (exit 1, after 12.3 s), so no nav route can be served:%0AFailed to compile.%0A./app/page.tsx: Unexpected token',
    );
  });

  it('is exit 2 with the reason when the server cannot be started', () => {
    expect(renderSmoke({ kind: 'error', message: 'next start exited before it answered' }, { githubActions: false })).toEqual({
      stdout: '',
      stderr: 'gates: routes smoke: next start exited before it answered\n',
      exitCode: 2,
    });
  });
});
