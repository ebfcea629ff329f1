// The console as the route policies see it: the nav of `ssot/console/nav.yaml` (shape fixed by
// docs/ssot.md) and the routes of its Next.js app dir. Loaded once per run and shared.
import type { PolicyFinding } from '../../../gates/core/finding.ts';
import { isRecord } from '../../../gates/core/data.ts';
import type { RepoContext } from '../../../gates/core/repo.ts';
import { NAV_FILE } from '../../_lib/ssot.ts';
import { isAppDirectory, listAppFiles, resolveAppDir, type AppDir } from './app-fs.ts';
import { appRouterRoutes, interceptedRoutes, pagesRouterRoutes, type RouteEntry } from './next-routes.ts';

export { NAV_FILE };

export interface NavRoute {
  index: number;
  /** As written in nav.yaml. */
  path: string;
  label: string | undefined;
  /** The JSON pointer of its `path` value. */
  pointer: string;
}

export interface Nav {
  routes: NavRoute[];
  appDir: string | undefined;
  navComponent: string | undefined;
}

export interface Console {
  nav: Nav;
  app: AppDir;
  /** Where `app_dir` / `--app-dir` came from, for locating findings about the app as a whole. */
  appDirPointer: string | undefined;
  /** The router folders found, relative to the app dir: `app`, `src/app`, `pages`, `src/pages`. */
  routers: string[];
  routes: RouteEntry[];
  /** What intercepting folders show on client-side navigation only: never a page for the nav. */
  intercepted: RouteEntry[];
  /** Router folders listed only in part (too many files). */
  truncated: string[];
}

/**
 * The console, or why it cannot be checked: `because` (a sentence that says what to do) and `at`,
 * where a finding about it goes (nav.yaml, at `app_dir` when that is what failed).
 */
export type ConsoleState = { ready: true; console: Console } | { ready: false; because: string; at: Pick<PolicyFinding, 'file' | 'line' | 'pointer'> };

export function loadConsole(ctx: RepoContext): ConsoleState {
  return ctx.memo('routes/console', () => load(ctx));
}

function skipped(because: string, at: { line: number } | { pointer: string } = { line: 1 }): ConsoleState {
  return { ready: false, because, at: { file: NAV_FILE, ...at } };
}

function load(ctx: RepoContext): ConsoleState {
  const option = ctx.options.appDir;
  if (!ctx.exists(NAV_FILE)) {
    return skipped(
      `${NAV_FILE} does not exist${option === undefined ? ' and no --app-dir was given' : ` (--app-dir ${option} has no nav to check)`} — add the nav as docs/ssot.md describes`,
    );
  }
  const nav = readNav(ctx.data(NAV_FILE));
  if (!nav) return skipped(`${NAV_FILE} cannot be read as a nav (a YAML mapping with a \`routes\` list); fix the file first`);
  const configured = option ?? nav.appDir;
  const appDirPointer = option === undefined && nav.appDir !== undefined ? '/app_dir' : undefined;
  if (configured === undefined) {
    return skipped(`neither --app-dir nor \`app_dir\` in ${NAV_FILE} names the console's Next.js app — pass --app-dir PATH or set app_dir`);
  }
  const resolved = resolveAppDir(ctx, configured);
  if (!resolved.ok) {
    const from = option !== undefined ? '--app-dir' : `app_dir in ${NAV_FILE}`;
    return skipped(
      `${resolved.reason} (${from}, relative to the repository root) — check the console out there or pass --app-dir PATH`,
      appDirPointer ? { pointer: appDirPointer } : { line: 1 },
    );
  }
  const app = resolved.value;
  // Next.js ignores src/app and src/pages when app/ or pages/ exist at the top of the project.
  const top = ['app', 'pages'].filter((d) => isAppDirectory(app, d));
  const routers = top.length ? top : ['src/app', 'src/pages'].filter((d) => isAppDirectory(app, d));
  const routes: RouteEntry[] = [];
  const intercepted: RouteEntry[] = [];
  const truncated: string[] = [];
  for (const dir of routers) {
    const listed = listAppFiles(app, dir);
    if (listed.truncated) truncated.push(dir);
    if (dir.endsWith('app')) {
      routes.push(...appRouterRoutes(listed.files, dir));
      intercepted.push(...interceptedRoutes(listed.files, dir));
    } else routes.push(...pagesRouterRoutes(listed.files, dir));
  }
  return { ready: true, console: { nav, app, appDirPointer, routers, routes, intercepted, truncated } };
}

function readNav(data: unknown): Nav | undefined {
  if (!isRecord(data) || !Array.isArray(data.routes)) return undefined;
  const routes: NavRoute[] = [];
  data.routes.forEach((r: unknown, index) => {
    if (isRecord(r) && typeof r.path === 'string') {
      routes.push({ index, path: r.path, label: typeof r.label === 'string' ? r.label : undefined, pointer: `/routes/${index}/path` });
    }
  });
  return {
    routes,
    appDir: typeof data.app_dir === 'string' ? data.app_dir : undefined,
    navComponent: typeof data.nav_component === 'string' ? data.nav_component : undefined,
  };
}

/** A nav path as a URL path: without query, fragment or trailing slash. */
export function normalizeNavPath(p: string): string {
  const bare = p.replace(/[?#].*$/, '');
  return bare.length > 1 ? bare.replace(/\/+$/, '') : bare;
}

/**
 * Where a finding about a file of the app goes: at the file itself when the app dir is inside the
 * repository, else at nav.yaml (the report's paths are root-relative), at `fallback`.
 */
export function atAppFile(
  c: Console,
  rel: string,
  place: { line: number; column?: number; endLine?: number; endColumn?: number },
  fallback: { pointer: string; at?: 'key' | 'value' },
): Pick<PolicyFinding, 'file' | 'line' | 'column' | 'endLine' | 'endColumn' | 'pointer' | 'at'> {
  if (c.app.inRepo !== undefined) return { file: c.app.inRepo === '' ? rel : `${c.app.inRepo}/${rel}`, ...place };
  return { file: NAV_FILE, ...fallback };
}

/** Where a finding about the app dir as a whole goes. */
export function atAppDir(c: Console): Pick<PolicyFinding, 'file' | 'line' | 'pointer'> {
  return c.appDirPointer ? { file: NAV_FILE, pointer: c.appDirPointer } : { file: NAV_FILE, line: 1 };
}
