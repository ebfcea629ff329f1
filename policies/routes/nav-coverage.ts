import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { editDistance } from '../../gates/core/suggest.ts';
import { atAppDir, atAppFile, loadConsole, NAV_FILE, normalizeNavPath, type Console } from './_lib/console.ts';
import { matches, resolveRoute, urlSegments, type RouteEntry } from './_lib/next-routes.ts';

/** Pages that exist for the framework, not for the nav. */
const FRAMEWORK_PAGES = new Set(['/404', '/500']);

/**
 * Every route of the console's left nav is served by a page of its Next.js app (App Router and
 * Pages Router rules), and every page is reached from the nav.
 */
export default definePolicy({
  id: 'routes/nav-coverage',
  title: 'Every nav route has a page, and every page is reached from the nav',
  severity: 'error',
  appliesTo: [NAV_FILE],
  messages: {
    'no-app': 'no app dir found: route coverage skipped because {{because}}',
    'no-router':
      "the app dir {{app}} has no app/, src/app/, pages/ or src/pages/ folder, so no nav route can be served — point app_dir (or --app-dir) at the console's Next.js app",
    truncated: '{{app}}/{{dir}} holds too many files to list; route coverage saw only part of it',
    'not-absolute': 'nav route {{route}} does not start with /; write the URL path, e.g. /{{path}}',
    'api-route': 'nav route {{route}} is answered by the API route {{file}}, not a page (pages/api/** serves API routes only) — point the nav at a page',
    'route-handler':
      'nav route {{route}} is answered by the route handler {{file}}, not a page; a nav link needs a page — add {{page}} in place of the handler or move the handler',
    'catch-all-needs-segment':
      'nav route {{route}} has no page in {{app}}: the catch-all {{file}} needs at least one segment after {{url}} — rename it to an optional catch-all [[...{{param}}]] or add {{page}}',
    'intercepted-only':
      'nav route {{route}} has no page in {{app}}: only the intercepting route {{file}} shows it, and only on client-side navigation — a reload or a shared link is a 404; add {{page}}',
    'no-page': 'nav route {{route}} has no page in {{app}}; the closest existing route is {{closest}} ({{closestFile}}) — add {{page}} or fix the path',
    'no-pages-at-all': 'nav route {{route}} has no page in {{app}}; the app has no pages at all — add {{page}} or fix the path',
    unreached: `page {{file}} (route {{route}}) is not reached from the nav: no entry of ${NAV_FILE} leads to it or to a route above it — add it to the nav, or remove the page if it is dead`,
  },
  check(ctx) {
    const state = loadConsole(ctx);
    if (!state.ready) return [{ ...state.at, severity: 'notice', key: 'skipped', messageId: 'no-app', data: { because: state.because } }];
    const c = state.console;
    const app = c.app.shown;
    const out: PolicyFinding[] = [];
    if (c.routers.length === 0) return [{ ...atAppDir(c), messageId: 'no-router', data: { app } }];
    for (const dir of c.truncated) {
      out.push({ ...atAppDir(c), severity: 'warning', key: `truncated:${dir}`, messageId: 'truncated', data: { app, dir } });
    }
    const pages = c.routes.filter((r) => r.kind === 'page');
    const reached = new Set<string>();
    for (const nav of c.nav.routes) {
      const url = normalizeNavPath(nav.path);
      const route = `${nav.path}${nav.label ? ` (${nav.label})` : ''}`;
      const at = { file: NAV_FILE, pointer: nav.pointer };
      if (!url.startsWith('/')) {
        out.push({ ...at, messageId: 'not-absolute', data: { route, path: nav.path } });
        continue;
      }
      const served = resolveRoute(c.routes, url);
      if (served?.kind === 'page') {
        reached.add(served.route);
        continue;
      }
      if (served) {
        out.push(
          served.router === 'pages'
            ? { ...at, messageId: 'api-route', data: { route, file: served.file } }
            : { ...at, messageId: 'route-handler', data: { route, file: served.file, page: suggestPage(c, url) } },
        );
        continue;
      }
      const catchAll = pages.find(
        (p) =>
          p.segments.at(-1)?.kind === 'catchall' && p.segments.length === urlSegments(url).length + 1 && matches(p.segments.slice(0, -1), urlSegments(url)),
      );
      if (catchAll) {
        out.push({
          ...at,
          messageId: 'catch-all-needs-segment',
          data: { route, app, file: catchAll.file, url, param: catchAll.segments.at(-1)?.value ?? 'slug', page: suggestPage(c, url) },
        });
        continue;
      }
      const intercept = resolveRoute(c.intercepted, url);
      if (intercept) {
        out.push({ ...at, messageId: 'intercepted-only', data: { route, app, file: intercept.file, page: suggestPage(c, url) } });
        continue;
      }
      const near = closestRoute(url, pages);
      out.push(
        near
          ? { ...at, messageId: 'no-page', data: { route, app, closest: near.route, closestFile: near.file, page: suggestPage(c, url) } }
          : { ...at, messageId: 'no-pages-at-all', data: { route, app, page: suggestPage(c, url) } },
      );
    }
    const navUrls = c.nav.routes.map((n) => normalizeNavPath(n.path)).filter((u) => u.startsWith('/'));
    for (const page of pages) {
      if (reached.has(page.route) || FRAMEWORK_PAGES.has(page.route) || underNav(page, navUrls)) continue;
      out.push({
        ...atAppFile(c, page.file, { line: 1 }, { pointer: '/routes', at: 'key' }),
        severity: 'notice',
        key: `unreached:${page.file}`,
        messageId: 'unreached',
        data: { file: page.file, route: page.route },
      });
    }
    return out;
  },
});

/** A page below a nav route (`/logs/[id]` below `/logs`) is reached through that route's page. */
function underNav(page: RouteEntry, navUrls: readonly string[]): boolean {
  return navUrls.some((u) => {
    const nav = urlSegments(u);
    if (nav.length === 0 || page.segments.length <= nav.length) return false;
    return nav.every((s, i) => page.segments[i]?.kind === 'static' && page.segments[i]?.value === s);
  });
}

function closestRoute(url: string, pages: readonly RouteEntry[]): RouteEntry | undefined {
  let best: RouteEntry | undefined;
  let bestD = Infinity;
  for (const p of pages) {
    const d = editDistance(url, p.route);
    if (d < bestD || (d === bestD && best && p.route < best.route)) {
      best = p;
      bestD = d;
    }
  }
  return best;
}

/** The file that would serve `url` in the app's own router. */
function suggestPage(c: Console, url: string): string {
  const appRouter = c.routers.find((r) => r.endsWith('app'));
  const rest = url === '/' ? '' : url;
  if (appRouter) return `${appRouter}${rest}/page.tsx`;
  const pagesRouter = c.routers[0] ?? 'pages';
  return url === '/' ? `${pagesRouter}/index.tsx` : `${pagesRouter}${rest}.tsx`;
}
