import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { MAX_SOURCE_BYTES, readAppText } from './_lib/app-fs.ts';
import { atAppFile, loadConsole, NAV_FILE, normalizeNavPath } from './_lib/console.ts';
import { extractHrefs } from './_lib/hrefs.ts';

/**
 * The console's nav component (named by `nav_component` in nav.yaml) links exactly the routes of
 * nav.yaml: a link the SSOT does not list, or a listed route the component does not link, is drift.
 */
export default definePolicy({
  id: 'routes/nav-component',
  title: 'The nav component links exactly the routes of nav.yaml',
  severity: 'error',
  appliesTo: [NAV_FILE],
  messages: {
    unreadable: 'nav_component: {{reason}}; name the file (relative to the app dir) that renders the left nav',
    'no-literal-href': `{{component}} has no literal internal href, so its links cannot be compared with ${NAV_FILE} — write the nav links as string literals (href="/logs" or { href: '/logs' })`,
    'unlisted-link': `{{at}} links {{href}}, which ${NAV_FILE} does not list — add it to the nav or remove the link`,
    'unlinked-route': 'nav route {{route}} is not linked from {{component}} — add a link with href="{{path}}" or remove the route from the nav',
  },
  check(ctx) {
    const state = loadConsole(ctx);
    // routes/nav-coverage reports why there is no app to check; without nav_component there is nothing to compare.
    if (!state.ready || state.console.nav.navComponent === undefined) return [];
    const c = state.console;
    const component = c.nav.navComponent as string;
    const text = readAppText(c.app, component, MAX_SOURCE_BYTES);
    if (!text.ok) return [{ file: NAV_FILE, pointer: '/nav_component', messageId: 'unreadable', data: { reason: text.reason } }];
    const hrefs = extractHrefs(component, text.value).filter((h) => h.href.startsWith('/') && !h.href.startsWith('//'));
    if (hrefs.length === 0) return [{ file: NAV_FILE, pointer: '/nav_component', messageId: 'no-literal-href', data: { component } }];
    const out: PolicyFinding[] = [];
    const navPaths = new Set(c.nav.routes.map((r) => normalizeNavPath(r.path)));
    const linked = new Set<string>();
    for (const h of hrefs) {
      const url = normalizeNavPath(h.href);
      linked.add(url);
      if (navPaths.has(url)) continue;
      const { href, ...range } = h;
      out.push({
        ...atAppFile(c, component, range, { pointer: '/nav_component' }),
        key: `unlisted:${url}`,
        messageId: 'unlisted-link',
        data: { at: `${component}:${h.line}:${h.column}`, href },
      });
    }
    for (const r of c.nav.routes) {
      if (linked.has(normalizeNavPath(r.path))) continue;
      out.push({
        file: NAV_FILE,
        pointer: r.pointer,
        key: `unlinked:${r.path}`,
        messageId: 'unlinked-route',
        data: { route: `${r.path}${r.label ? ` (${r.label})` : ''}`, component, path: r.path },
      });
    }
    return out;
  },
});
