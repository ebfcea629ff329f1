import type * as T from 'typescript';
import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import type { RepoContext } from '../../gates/core/repo.ts';
import { MAX_SOURCE_BYTES, readAppText } from './_lib/app-fs.ts';
import { clientModules } from './_lib/client-modules.ts';
import { atAppFile, loadConsole, NAV_FILE, type Console } from './_lib/console.ts';
import { fetchJsonCalls, parsesJsonSafely } from './_lib/fetch-json.ts';
import { codeOf, parseSource, rangeOf, typescript, type Source } from './_lib/ts-source.ts';

interface SafeJson {
  path: string;
  export: string;
}

/**
 * Client code of the console never calls `.json()` on a fetch response directly: it reads bodies
 * through the safe helper named by `safe_json` in nav.yaml, which exists and survives an empty or
 * non-JSON body.
 */
export default definePolicy({
  id: 'routes/safe-json',
  title: 'Client code reads fetch responses through the safe JSON helper',
  severity: 'error',
  appliesTo: [NAV_FILE],
  messages: {
    'fetch-json': '{{at}}: {{code}} throws "Unexpected end of JSON input" on an empty or non-JSON body — read the response with {{helper}}',
    'helper-missing': 'the safe JSON helper cannot be read: {{reason}} — create it there or correct safe_json.path',
    'export-missing': '{{path}} has no export named {{name}} — export the safe JSON helper under that name or correct safe_json.export',
    'helper-unsafe':
      '{{at}}: {{name}} parses JSON outside a try/catch, so it throws on an empty or non-JSON body — read res.text() and JSON.parse it inside try/catch, returning null (or an error value) when it fails',
    'helper-no-parse':
      '{{at}}: {{name}} never parses JSON, so it is not a JSON helper — read res.text() and JSON.parse it inside try/catch, returning null (or an error value) when it fails',
  },
  check(ctx) {
    const state = loadConsole(ctx);
    if (!state.ready) return skip(`the console's app cannot be read: ${state.because}`);
    const c = state.console;
    const helper = readSafeJson(ctx);
    const out: PolicyFinding[] = [];
    if (helper) out.push(...checkHelper(c, helper));
    const advice = helper ? `${helper.export}(res) from ${helper.path}` : `a safe helper, and name it in ${NAV_FILE} as safe_json: {path, export}`;
    for (const src of clientModules(c.app).modules) {
      if (helper && src.file === helper.path) continue;
      for (const call of fetchJsonCalls(src)) {
        const r = rangeOf(src, call);
        out.push({
          ...atAppFile(c, src.file, r, { pointer: '/app_dir' }),
          messageId: 'fetch-json',
          key: `fetch-json:${src.file}:${r.line}:${r.column}`,
          data: { at: `${src.file}:${r.line}:${r.column}`, code: codeOf(src, call), helper: advice },
        });
      }
    }
    return out;
  },
});

function readSafeJson(ctx: RepoContext): SafeJson | undefined {
  const data = ctx.data(NAV_FILE) as { safe_json?: { path?: unknown; export?: unknown } } | undefined;
  const s = data?.safe_json;
  return typeof s?.path === 'string' && typeof s.export === 'string' ? { path: s.path.replace(/^\.\//, ''), export: s.export } : undefined;
}

function checkHelper(c: Console, helper: SafeJson): PolicyFinding[] {
  const text = readAppText(c.app, helper.path, MAX_SOURCE_BYTES);
  if (!text.ok) return [{ file: NAV_FILE, pointer: '/safe_json/path', messageId: 'helper-missing', data: { path: helper.path, reason: text.reason } }];
  const src = parseSource(helper.path, text.value);
  const fn = exportedFunction(src, helper.export);
  if (!fn) return [{ file: NAV_FILE, pointer: '/safe_json/export', messageId: 'export-missing', data: { path: helper.path, name: helper.export } }];
  const { parses, guarded } = parsesJsonSafely(fn.body);
  if (guarded) return [];
  const r = rangeOf(src, fn.name);
  const messageId = parses ? 'helper-unsafe' : 'helper-no-parse';
  return [
    { ...atAppFile(c, helper.path, r, { pointer: '/safe_json/export' }), messageId, data: { at: `${helper.path}:${r.line}:${r.column}`, name: helper.export } },
  ];
}

/** The exported function `name` of the module: its name node and its body. */
function exportedFunction(src: Source, name: string): { name: T.Node; body: T.Node } | undefined {
  const ts = typescript();
  const exported = (n: T.Node): boolean => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const locals = new Map<string, { name: T.Node; body: T.Node }>();
  const publicNames = new Map<string, string>();
  for (const st of src.sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name && st.body) {
      locals.set(st.name.text, { name: st.name, body: st.body });
      if (exported(st)) publicNames.set(st.name.text, st.name.text);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || !d.initializer) continue;
        if (!ts.isArrowFunction(d.initializer) && !ts.isFunctionExpression(d.initializer)) continue;
        locals.set(d.name.text, { name: d.name, body: d.initializer.body });
        if (exported(st)) publicNames.set(d.name.text, d.name.text);
      }
    } else if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) publicNames.set(el.name.text, (el.propertyName ?? el.name).text);
    }
  }
  const local = publicNames.get(name);
  return local === undefined ? undefined : locals.get(local);
}
