import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../gates/main.ts';
import type { Finding } from '../gates/core/finding.ts';
import { formatFinding, invalidCases, runPolicyOn, type FixtureCase } from '../gates/testing/fixtures.ts';
import buildManifest from '../policies/routes/build-manifest.ts';
import navComponent from '../policies/routes/nav-component.ts';
import navCoverage from '../policies/routes/nav-coverage.ts';
import { extractHrefs } from '../policies/routes/_lib/hrefs.ts';
import { appRouterRoutes, interceptedRoutes, pagesRouterRoutes, resolveRoute } from '../policies/routes/_lib/next-routes.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NAV = 'ssot/console/nav.yaml';
const temps: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-routes-'));
  temps.push(dir);
  return dir;
}

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the App Router rules', () => {
  const routes = appRouterRoutes(
    [
      '(marketing)/page.tsx',
      'logs/page.tsx',
      'logs/[id]/page.tsx',
      'logs/live/route.ts',
      'docs/[...slug]/page.mdx',
      'help/[[...topic]]/page.js',
      '[team]/settings/page.tsx',
      'billing/settings/page.tsx',
      '_private/page.tsx',
      '%5Finternal/page.tsx',
      '@modal/(.)photo/page.tsx',
      '@modal/(..)(..)deep/page.tsx',
      '@modal/(...)root/page.tsx',
      '@analytics/stats/page.tsx',
      'photo/layout.tsx',
    ],
    'app',
  );
  const served = (url: string) => {
    const r = resolveRoute(routes, url);
    return r ? `${r.kind} ${r.file}` : 'none';
  };

  it('leaves groups and slots out of the URL and drops private and intercepting folders', () => {
    expect(routes.map((r) => r.route).sort()).toEqual(
      [
        '/',
        '/[team]/settings',
        '/_internal',
        '/billing/settings',
        '/docs/[...slug]',
        '/help/[[...topic]]',
        '/logs',
        '/logs/[id]',
        '/logs/live',
        '/stats',
      ].sort(),
    );
    expect(served('/')).toBe('page app/(marketing)/page.tsx');
    expect(served('/stats')).toBe('page app/@analytics/stats/page.tsx');
    expect(served('/_internal')).toBe('page app/%5Finternal/page.tsx');
    expect(served('/_private')).toBe('none');
    expect(served('/photo')).toBe('none');
    expect(served('/deep')).toBe('none');
    expect(served('/root')).toBe('none');
  });

  it('matches dynamic and catch-all segments as Next.js does, static first', () => {
    expect(served('/logs/42')).toBe('page app/logs/[id]/page.tsx');
    expect(served('/logs/live')).toBe('handler app/logs/live/route.ts');
    expect(served('/logs/42/more')).toBe('none');
    expect(served('/docs')).toBe('none');
    expect(served('/docs/a/b/c')).toBe('page app/docs/[...slug]/page.mdx');
    expect(served('/help')).toBe('page app/help/[[...topic]]/page.js');
    expect(served('/help/mail/smtp')).toBe('page app/help/[[...topic]]/page.js');
    expect(served('/billing/settings')).toBe('page app/billing/settings/page.tsx');
    expect(served('/acme/settings')).toBe('page app/[team]/settings/page.tsx');
  });
});

describe('intercepting routes', () => {
  it('resolve the route they show by route segments, not folders', () => {
    const got = interceptedRoutes(
      [
        '@modal/(.)photo/page.tsx',
        '(shop)/feed/(..)photo/[id]/page.tsx',
        'a/b/@m/(..)(..)deep/page.tsx',
        'x/y/(...)root/page.tsx',
        '_x/(.)hidden/page.tsx',
        'photo/page.tsx',
      ],
      'app',
    );
    expect(got.map((r) => `${r.route} ${r.file}`)).toEqual([
      '/photo app/@modal/(.)photo/page.tsx',
      '/photo/[id] app/(shop)/feed/(..)photo/[id]/page.tsx',
      '/deep app/a/b/@m/(..)(..)deep/page.tsx',
      '/root app/x/y/(...)root/page.tsx',
    ]);
  });
});

describe('the Pages Router rules', () => {
  const routes = pagesRouterRoutes(
    [
      'index.tsx',
      'logs.tsx',
      'modules/index.jsx',
      '[id].tsx',
      'api/health.ts',
      'api/[...path].ts',
      '_app.tsx',
      '_document.tsx',
      '_error.tsx',
      'types.d.ts',
      'styles.css',
    ],
    'pages',
  );

  it('maps files to routes, index to its folder, and api/** to handlers', () => {
    expect(routes.map((r) => `${r.kind} ${r.route}`).sort()).toEqual(
      ['handler /api/[...path]', 'handler /api/health', 'page /', 'page /[id]', 'page /logs', 'page /modules'].sort(),
    );
    expect(resolveRoute(routes, '/logs')?.file).toBe('pages/logs.tsx');
    expect(resolveRoute(routes, '/metrics')?.file).toBe('pages/[id].tsx');
    expect(resolveRoute(routes, '/api/x/y')?.kind).toBe('handler');
  });
});

describe('href extraction', () => {
  it('takes string and plain template literals from href attributes and href properties only', () => {
    const src = [
      "const a = [{ href: '/a' }, { 'href': `/b` }, { to: '/not' }];",
      'export const N = () => (',
      '  <nav>',
      '    <Link href="/c" /> <Link href={"/d"} /> <Link href={(`/e`)} />',
      '    <Link href={`/f/${x}`} /> <Link href={x} /> <a title="/no" />',
      '  </nav>',
      ');',
    ].join('\n');
    const got = extractHrefs('n.tsx', src).map((h) => `${h.line}:${h.column} ${h.href}`);
    expect(got).toEqual(['1:20 /a', '1:38 /b', '4:16 /c', '4:36 /d', '4:58 /e']);
  });
});

describe('when there is no app to check', () => {
  it('says so as a notice, at nav.yaml, and exits 0 — never a silent pass', async () => {
    const root = tempDir();
    write(root, { 'README.md': '# repo\n' });
    const r1 = await runPolicyOn(navCoverage, root);
    expect(r1.lines).toEqual([
      'ssot/console/nav.yaml:1:1 notice no app dir found: route coverage skipped because ssot/console/nav.yaml does not exist and no --app-dir was given — add the nav as docs/ssot.md describes [routes/nav-coverage]',
    ]);
    write(root, { 'ssot/console/nav.yaml': 'version: 1\napp_dir: ../odooops-console\nroutes:\n  - {path: /logs, label: Logs}\n' });
    const r2 = await runPolicyOn(navCoverage, root);
    expect(r2.lines).toEqual([
      'ssot/console/nav.yaml:2:10 notice no app dir found: route coverage skipped because ../odooops-console does not exist (app_dir in ssot/console/nav.yaml, relative to the repository root) — check the console out there or pass --app-dir PATH [routes/nav-coverage]',
    ]);
    expect((await runPolicyOn(buildManifest, root)).lines).toEqual([]);
    expect((await runPolicyOn(navComponent, root)).lines).toEqual([]);
  });

  it('reports the skip on this repository itself and exits 0', async () => {
    const out: string[] = [];
    const artifacts = tempDir();
    const code = await main(['check', '--root', ROOT, '--only', 'routes', '--format', 'json', '--artifacts', artifacts], {
      stdout: (s) => out.push(s),
      stderr: (s) => out.push(s),
      env: {},
      cwd: ROOT,
      isTTY: false,
    });
    const report = JSON.parse(out.join('')) as { findings: Array<{ severity: string; message: string; file: string }> };
    expect(code).toBe(0);
    expect(report.findings.length).toBe(1);
    expect(report.findings[0]?.severity).toBe('notice');
    expect(report.findings[0]?.message).toMatch(/^no app dir found: route coverage skipped because /);
  });

  it('flags an app dir that is no Next.js app', async () => {
    const root = tempDir();
    write(root, { 'ssot/console/nav.yaml': 'version: 1\napp_dir: web\nroutes:\n  - {path: /, label: Home}\n', 'web/index.html': '<p>hi</p>\n' });
    expect((await runPolicyOn(navCoverage, root)).lines).toEqual([
      "ssot/console/nav.yaml:2:10 error the app dir web has no app/, src/app/, pages/ or src/pages/ folder, so no nav route can be served — point app_dir (or --app-dir) at the console's Next.js app [routes/nav-coverage]",
    ]);
  });
});

describe('an app dir outside the repository', () => {
  // Each nav-coverage case with its console checked out outside the root, its nav without app_dir.
  const cases = invalidCases(navCoverage.id).filter((c) => fs.existsSync(path.join(c.dir, 'console')));

  async function outside(c: FixtureCase): Promise<{ inRepo: Finding[]; outside: Finding[] }> {
    const root = tempDir();
    const app = tempDir();
    fs.cpSync(path.join(c.dir, 'console'), app, { recursive: true });
    const nav = fs.readFileSync(path.join(c.dir, NAV), 'utf8');
    expect(nav).toContain('\napp_dir: console\n');
    write(root, { [NAV]: nav.replace('app_dir: console\n', '') });
    return { inRepo: (await runPolicyOn(navCoverage, c.dir, c.options)).findings, outside: (await runPolicyOn(navCoverage, root, { appDir: app })).findings };
  }

  /** A finding as the outside run must give it: in nav.yaml, one line up, a page's at the routes key; the app named as given. */
  function view(f: Finding, movedOut: boolean): string {
    const data = f.data && 'app' in f.data ? { ...f.data, app: '<app dir>' } : f.data;
    const at = !movedOut
      ? `${f.file}:${f.line}:${f.column}`
      : f.file !== NAV
        ? `${NAV}:2:1`
        : f.pointer?.startsWith('/routes/')
          ? `${NAV}:${f.line - 1}:${f.column}`
          : `${NAV}:1:1`;
    return `${at} ${f.severity} ${f.messageId ?? f.message} ${JSON.stringify(data)}`;
  }

  it.each(cases.map((c) => [c.name, c] as const))('locates every finding of %s in nav.yaml, never at a path outside the root', async (_, c) => {
    const r = await outside(c);
    expect(r.outside.every((f) => f.file === NAV)).toBe(true);
    expect(r.outside.map((f) => view(f, false)).sort()).toEqual(r.inRepo.map((f) => view(f, true)).sort());
  });

  it('names the unreached page in the message, at the routes key', async () => {
    const c = cases.find((x) => x.name === 'page-not-in-nav');
    if (!c) throw new Error('no fixture case page-not-in-nav');
    const r = await outside(c);
    expect(r.outside.map(formatFinding)).toEqual([
      'ssot/console/nav.yaml:2:1-2:7 notice unreached {"file":"src/app/(dashboard)/old-reports/page.tsx","route":"/old-reports"}',
    ]);
    expect(r.outside.map((f) => f.message)).toEqual([
      'page src/app/(dashboard)/old-reports/page.tsx (route /old-reports) is not reached from the nav: no entry of ssot/console/nav.yaml leads to it or to a route above it — add it to the nav, or remove the page if it is dead',
    ]);
  });

  it('does not follow a symlink that leads out of the app dir', async () => {
    const root = tempDir();
    const outside = tempDir();
    write(outside, { 'page.tsx': 'export default function P() { return null; }\n' });
    write(root, {
      'ssot/console/nav.yaml': 'version: 1\napp_dir: web\nroutes:\n  - {path: /, label: Home}\n  - {path: /escape, label: Escape}\n',
      'web/app/page.tsx': 'export default function P() { return null; }\n',
    });
    fs.symlinkSync(outside, path.join(root, 'web/app/escape'));
    const { lines: got } = await runPolicyOn(navCoverage, root);
    expect(got).toEqual([
      'ssot/console/nav.yaml:5:12 error nav route /escape (Escape) has no page in web; the closest existing route is / (app/page.tsx) — add app/escape/page.tsx or fix the path [routes/nav-coverage]',
    ]);
  });
});

describe('build manifests', () => {
  it('reports an unreadable manifest and still checks the others', async () => {
    const root = tempDir();
    write(root, {
      'ssot/console/nav.yaml': 'version: 1\napp_dir: web\nroutes:\n  - {path: /logs, label: Logs}\n  - {path: /docs/a/b, label: Docs}\n',
      'web/pages/logs.tsx': 'export default function Logs() { return null; }\n',
      'web/.next/routes-manifest.json': '{"version": 3, "staticRoutes": [',
      'web/.next/server/pages-manifest.json': '{"/_app": "pages/_app.js", "/logs": "pages/logs.js", "/docs/[...slug]": "pages/docs/[...slug].js"}\n',
    });
    expect((await runPolicyOn(buildManifest, root)).lines).toEqual([
      'ssot/console/nav.yaml:2:10 error the build manifest .next/routes-manifest.json in web is not valid JSON (Unexpected end of JSON input); rebuild the console [routes/build-manifest]',
    ]);
  });

  it('says the smoke check is skipped when there is no build', async () => {
    const root = tempDir();
    write(root, {
      'ssot/console/nav.yaml': 'version: 1\nroutes:\n  - {path: /, label: Home}\n',
      'web/app/page.tsx': 'export default function P() { return null; }\n',
    });
    expect((await runPolicyOn(buildManifest, root, { appDir: 'web' })).lines).toEqual([
      'ssot/console/nav.yaml:1:1 notice no Next.js build output in web/.next (.next/app-path-routes-manifest.json, .next/routes-manifest.json or .next/server/pages-manifest.json): the build smoke check is skipped — run `next build` in the console before the gates to check the nav against the build [routes/build-manifest]',
    ]);
  });
});
