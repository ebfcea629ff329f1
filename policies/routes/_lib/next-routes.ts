// The routes a Next.js app serves, derived from its files by the App Router and Pages Router
// rules, and the matcher that resolves a URL path to the route Next.js would pick.

export type SegmentKind = 'static' | 'dynamic' | 'catchall' | 'optional';

export interface Segment {
  kind: SegmentKind;
  /** The literal for static segments, the parameter name otherwise. */
  value: string;
  /** The segment as written in a route pattern: `logs`, `[id]`, `[...slug]`, `[[...slug]]`. */
  text: string;
}

export interface RouteEntry {
  /** The route pattern as Next.js writes it: `/`, `/logs/[id]`, `/docs/[[...slug]]`. */
  route: string;
  segments: Segment[];
  /** A page renders UI; a handler (`route.ts`, `pages/api/**`) answers requests only. */
  kind: 'page' | 'handler';
  router: 'app' | 'pages';
  /** The file that defines it, relative to the app dir (POSIX). */
  file: string;
}

const PAGE_FILE = /^page\.(tsx|ts|jsx|js|mdx)$/;
const ROUTE_HANDLER_FILE = /^route\.(tsx|ts|jsx|js)$/;
const PAGES_ROUTER_FILE = /\.(tsx|ts|jsx|js|mdx)$/;
const PAGES_SPECIAL = new Set(['_app', '_document', '_error']);
/** `(.)x`, `(..)x`, `(..)(..)x`, `(...)x`: routes shown on soft navigation only, never served by URL. */
const INTERCEPTING = /^(\(\.\)|\(\.\.\.\)|(\(\.\.\))+)/;
const GROUP = /^\(.+\)$/;

/** Parses one URL-path segment as written in a folder or file name. */
function parseSegment(name: string): Segment {
  let m = /^\[\[\.\.\.([^\]]+)\]\]$/.exec(name);
  if (m) return { kind: 'optional', value: m[1] as string, text: name };
  m = /^\[\.\.\.([^\]]+)\]$/.exec(name);
  if (m) return { kind: 'catchall', value: m[1] as string, text: name };
  m = /^\[([^\].]+)\]$/.exec(name);
  if (m) return { kind: 'dynamic', value: m[1] as string, text: name };
  // `%5F` is how a URL segment that starts with `_` escapes the private-folder rule.
  const literal = name.startsWith('%5F') ? `_${name.slice(3)}` : name;
  return { kind: 'static', value: literal, text: literal };
}

function routeOf(segments: Segment[]): string {
  return `/${segments.map((s) => s.text).join('/')}`;
}

/**
 * Routes of an App Router tree. `files` are relative to the router folder (`app/` or `src/app/`);
 * `base` is that folder relative to the app dir.
 */
export function appRouterRoutes(files: readonly string[], base: string): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const file of files) {
    const parts = file.split('/');
    const name = parts.pop() as string;
    const kind = PAGE_FILE.test(name) ? 'page' : ROUTE_HANDLER_FILE.test(name) ? 'handler' : undefined;
    if (!kind) continue;
    const segments: Segment[] = [];
    let routable = true;
    for (const dir of parts) {
      if (dir.startsWith('_') || INTERCEPTING.test(dir)) {
        routable = false;
        break;
      }
      if (GROUP.test(dir) || dir.startsWith('@')) continue;
      segments.push(parseSegment(dir));
    }
    if (routable) out.push({ route: routeOf(segments), segments, kind, router: 'app', file: `${base}/${file}` });
  }
  return out;
}

/**
 * The routes that intercepting folders show on client-side navigation (never on a request).
 * `(.)x` is relative to the current route segment, `(..)x` one segment up (per `(..)`), `(...)x`
 * from the root; levels count route segments, so groups and slots do not count.
 */
export function interceptedRoutes(files: readonly string[], base: string): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const file of files) {
    const parts = file.split('/');
    const name = parts.pop() as string;
    if (!PAGE_FILE.test(name) || !parts.some((d) => INTERCEPTING.test(d))) continue;
    let segments: Segment[] = [];
    let routable = true;
    for (const dir of parts) {
      const m = INTERCEPTING.exec(dir);
      if (m) {
        const marker = m[0];
        if (marker === '(...)') segments = [];
        else if (marker !== '(.)') segments = segments.slice(0, Math.max(0, segments.length - marker.length / 4));
        const rest = dir.slice(marker.length);
        if (rest) segments.push(parseSegment(rest));
        continue;
      }
      if (dir.startsWith('_')) {
        routable = false;
        break;
      }
      if (GROUP.test(dir) || dir.startsWith('@')) continue;
      segments.push(parseSegment(dir));
    }
    if (routable) out.push({ route: routeOf(segments), segments, kind: 'page', router: 'app', file: `${base}/${file}` });
  }
  return out;
}

/** Routes of a Pages Router tree; `files` relative to `pages/` (or `src/pages/`), `base` that folder. */
export function pagesRouterRoutes(files: readonly string[], base: string): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const file of files) {
    if (!PAGES_ROUTER_FILE.test(file) || file.endsWith('.d.ts')) continue;
    const parts = file.replace(PAGES_ROUTER_FILE, '').split('/');
    if (parts.length === 1 && PAGES_SPECIAL.has(parts[0] as string)) continue;
    if (parts[parts.length - 1] === 'index') parts.pop();
    const segments = parts.map(parseSegment);
    const kind = parts[0] === 'api' ? 'handler' : 'page';
    out.push({ route: routeOf(segments), segments, kind, router: 'pages', file: `${base}/${file}` });
  }
  return out;
}

/** Splits a URL path into its segments; `/` is no segment. */
export function urlSegments(urlPath: string): string[] {
  return urlPath.split('/').filter((s) => s !== '');
}

/** True when the pattern matches the URL segments as Next.js matches them. */
export function matches(segments: readonly Segment[], url: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as Segment;
    if (s.kind === 'optional') return i === segments.length - 1;
    if (s.kind === 'catchall') return i === segments.length - 1 && url.length > i;
    const u = url[i];
    if (u === undefined) return false;
    if (s.kind === 'static' && s.value !== u) return false;
  }
  return url.length === segments.length;
}

const RANK: Record<SegmentKind, number> = { static: 0, dynamic: 1, catchall: 2, optional: 3 };

/** Next.js's order: segment by segment, static before dynamic before catch-all before optional catch-all. */
function compareSpecificity(a: RouteEntry, b: RouteEntry): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const x = a.segments[i];
    const y = b.segments[i];
    if (!x || !y) return x ? 1 : y ? -1 : 0;
    const d = RANK[x.kind] - RANK[y.kind];
    if (d !== 0) return d;
  }
  // The same pattern twice (a page and a handler, or both routers): a page, then the App Router, wins here.
  return (a.kind === 'page' ? 0 : 1) - (b.kind === 'page' ? 0 : 1) || (a.router === 'app' ? 0 : 1) - (b.router === 'app' ? 0 : 1);
}

/** The route Next.js serves for `urlPath`, or undefined when none matches. */
export function resolveRoute(routes: readonly RouteEntry[], urlPath: string): RouteEntry | undefined {
  const url = urlSegments(urlPath);
  let best: RouteEntry | undefined;
  for (const r of routes) {
    if (!matches(r.segments, url)) continue;
    if (!best || compareSpecificity(r, best) < 0) best = r;
  }
  return best;
}

/** Parses a route pattern as written in a build manifest (`/logs/[id]`). */
export function patternSegments(route: string): Segment[] {
  return urlSegments(route).map(parseSegment);
}
