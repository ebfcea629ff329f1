import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { isAppFile, MAX_MANIFEST_BYTES, readAppText } from './_lib/app-fs.ts';
import { atAppDir, loadConsole, NAV_FILE, normalizeNavPath } from './_lib/console.ts';
import { patternSegments, resolveRoute, type RouteEntry } from './_lib/next-routes.ts';

const APP_PATHS = '.next/app-path-routes-manifest.json';
const ROUTES = '.next/routes-manifest.json';
const PAGES = '.next/server/pages-manifest.json';
const PAGES_SPECIAL = new Set(['/_app', '/_document', '/_error']);

/**
 * The production-build smoke test: when the console's `next build` output is present, every nav
 * route resolves to a page in it (a stale or partial build is how a committed page still 404s).
 */
export default definePolicy({
  id: 'routes/build-manifest',
  title: 'Every nav route resolves in the production build',
  severity: 'error',
  appliesTo: [NAV_FILE],
  messages: {
    'no-build': `no Next.js build output in {{app}}/.next (${APP_PATHS}, ${ROUTES} or ${PAGES}): the build smoke check is skipped — run \`next build\` in the console before the gates to check the nav against the build`,
    unreadable: 'the build manifest {{reason}}; rebuild the console',
    'not-json': 'the build manifest {{manifest}} in {{app}} is not valid JSON ({{error}}); rebuild the console',
    'not-built':
      'nav route {{route}} does not resolve in the production build of {{app}}: no page for it in {{manifests}} — the page is missing from the build or the build is stale; rebuild and check that the page compiles',
  },
  check(ctx) {
    const state = loadConsole(ctx);
    // routes/nav-coverage reports why there is no app to check.
    if (!state.ready) return [];
    const c = state.console;
    const app = c.app.shown;
    const present = [APP_PATHS, ROUTES, PAGES].filter((f) => isAppFile(c.app, f));
    if (present.length === 0) return [{ ...atAppDir(c), severity: 'notice', key: 'no-build', messageId: 'no-build', data: { app } }];
    const out: PolicyFinding[] = [];
    const read = (file: string): unknown => {
      const t = readAppText(c.app, file, MAX_MANIFEST_BYTES);
      if (!t.ok) {
        out.push({ ...atAppDir(c), key: `unreadable:${file}`, messageId: 'unreadable', data: { reason: t.reason } });
        return undefined;
      }
      try {
        return JSON.parse(t.value) as unknown;
      } catch (e) {
        out.push({ ...atAppDir(c), key: `unreadable:${file}`, messageId: 'not-json', data: { manifest: file, app, error: (e as Error).message } });
        return undefined;
      }
    };
    // A manifest that cannot be read is reported once and left out; the others still decide.
    const data = new Map<string, unknown>();
    for (const f of present) {
      const d = read(f);
      if (d !== undefined) data.set(f, d);
    }
    const pageManifests = [APP_PATHS, PAGES].filter((f) => data.has(f));
    const built: RouteEntry[] = [...appPathRoutes(data.get(APP_PATHS)), ...pagesManifestRoutes(data.get(PAGES))];
    const regexes = data.has(ROUTES) ? routesManifestRegexes(data.get(ROUTES)) : undefined;
    for (const nav of c.nav.routes) {
      const url = normalizeNavPath(nav.path);
      if (!url.startsWith('/')) continue;
      const missing: string[] = [];
      if (pageManifests.length > 0 && resolveRoute(built, url)?.kind !== 'page') missing.push(...pageManifests);
      if (regexes && !regexes.some((r) => r.test(url))) missing.push(ROUTES);
      if (missing.length === 0) continue;
      out.push({
        file: NAV_FILE,
        pointer: nav.pointer,
        key: `missing:${url}`,
        messageId: 'not-built',
        data: { route: nav.path, app, manifests: missing.join(', ') },
      });
    }
    return out;
  },
});

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

function builtRoute(route: string, kind: RouteEntry['kind'], router: RouteEntry['router'], file: string): RouteEntry {
  return { route, segments: patternSegments(route), kind, router, file };
}

/** `{"/logs/page": "/logs", "/api/health/route": "/api/health"}`: entry name to URL pattern. */
function appPathRoutes(data: unknown): RouteEntry[] {
  if (!isStringMap(data)) return [];
  return Object.entries(data)
    .filter(([entry, route]) => !route.startsWith('/_') && (entry.endsWith('/page') || entry.endsWith('/route')))
    .map(([entry, route]) => builtRoute(route, entry.endsWith('/page') ? 'page' : 'handler', 'app', entry));
}

/** `{"/logs": "pages/logs.js", "/api/health": "pages/api/health.js", "/_app": …}`. */
function pagesManifestRoutes(data: unknown): RouteEntry[] {
  if (!isStringMap(data)) return [];
  return Object.keys(data)
    .filter((route) => !PAGES_SPECIAL.has(route))
    .map((route) => builtRoute(route, route === '/api' || route.startsWith('/api/') ? 'handler' : 'page', 'pages', route));
}

/** The `regex` of every static and dynamic route of routes-manifest.json. */
function routesManifestRegexes(data: unknown): RegExp[] {
  if (typeof data !== 'object' || data === null) return [];
  const out: RegExp[] = [];
  for (const list of [(data as Record<string, unknown>).staticRoutes, (data as Record<string, unknown>).dynamicRoutes]) {
    if (!Array.isArray(list)) continue;
    for (const r of list as unknown[]) {
      const re = typeof r === 'object' && r !== null ? (r as Record<string, unknown>).regex : undefined;
      if (typeof re !== 'string') continue;
      try {
        out.push(new RegExp(re));
      } catch {
        // a pattern this engine cannot compile is left out; the page manifests still decide
      }
    }
  }
  return out;
}
