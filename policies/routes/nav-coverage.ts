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
  check(ctx) {
    const state = loadConsole(ctx);
    if (!state.ready) return [state.skipped];
    const c = state.console;
    const out: PolicyFinding[] = [];
    if (c.routers.length === 0) {
      return [
        {
          ...atAppDir(c),
          message: `the app dir ${c.app.shown} has no app/, src/app/, pages/ or src/pages/ folder, so no nav route can be served — point app_dir (or --app-dir) at the console's Next.js app`,
        },
      ];
    }
    for (const dir of c.truncated) {
      out.push({
        ...atAppDir(c),
        severity: 'warning',
        key: `truncated:${dir}`,
        message: `${c.app.shown}/${dir} holds too many files to list; route coverage saw only part of it`,
      });
    }
    const pages = c.routes.filter((r) => r.kind === 'page');
    const reached = new Set<string>();
    for (const nav of c.nav.routes) {
      const url = normalizeNavPath(nav.path);
      const shown = `${nav.path}${nav.label ? ` (${nav.label})` : ''}`;
      if (!url.startsWith('/')) {
        out.push({ file: NAV_FILE, pointer: nav.pointer, message: `nav route ${shown} does not start with /; write the URL path, e.g. /${nav.path}` });
        continue;
      }
      const served = resolveRoute(c.routes, url);
      if (served?.kind === 'page') {
        reached.add(served.route);
        continue;
      }
      if (served) {
        out.push({
          file: NAV_FILE,
          pointer: nav.pointer,
          message:
            served.router === 'pages'
              ? `nav route ${shown} is answered by the API route ${served.file}, not a page (pages/api/** serves API routes only) — point the nav at a page`
              : `nav route ${shown} is answered by the route handler ${served.file}, not a page; a nav link needs a page — add ${suggestPage(c, url)} in place of the handler or move the handler`,
        });
        continue;
      }
      const catchAll = pages.find(
        (p) =>
          p.segments.at(-1)?.kind === 'catchall' && p.segments.length === urlSegments(url).length + 1 && matches(p.segments.slice(0, -1), urlSegments(url)),
      );
      if (catchAll) {
        out.push({
          file: NAV_FILE,
          pointer: nav.pointer,
          message: `nav route ${shown} has no page in ${c.app.shown}: the catch-all ${catchAll.file} needs at least one segment after ${url} — rename it to an optional catch-all [[...${catchAll.segments.at(-1)?.value ?? 'slug'}]] or add ${suggestPage(c, url)}`,
        });
        continue;
      }
      const intercept = resolveRoute(c.intercepted, url);
      if (intercept) {
        out.push({
          file: NAV_FILE,
          pointer: nav.pointer,
          message: `nav route ${shown} has no page in ${c.app.shown}: only the intercepting route ${intercept.file} shows it, and only on client-side navigation — a reload or a shared link is a 404; add ${suggestPage(c, url)}`,
        });
        continue;
      }
      const near = closestRoute(url, pages);
      out.push({
        file: NAV_FILE,
        pointer: nav.pointer,
        message: `nav route ${shown} has no page in ${c.app.shown}; ${near ? `the closest existing route is ${near.route} (${near.file})` : 'the app has no pages at all'} — add ${suggestPage(c, url)} or fix the path`,
      });
    }
    const navUrls = c.nav.routes.map((n) => normalizeNavPath(n.path)).filter((u) => u.startsWith('/'));
    for (const page of pages) {
      if (reached.has(page.route) || FRAMEWORK_PAGES.has(page.route) || underNav(page, navUrls)) continue;
      out.push({
        ...atAppFile(c, page.file, { line: 1 }, { pointer: '/routes', at: 'key' }),
        severity: 'notice',
        key: `unreached:${page.file}`,
        message: `page ${page.file} (route ${page.route}) is not reached from the nav: no entry of ${NAV_FILE} leads to it or to a route above it — add it to the nav, or remove the page if it is dead`,
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
