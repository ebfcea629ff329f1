import type * as T from 'typescript';
import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { MAX_SOURCE_BYTES, readAppText } from './_lib/app-fs.ts';
import { atAppFile, loadConsole, NAV_FILE, type Console } from './_lib/console.ts';
import { codeOf, parseSource, rangeOf, typescript, type Source } from './_lib/ts-source.ts';

const ID = 'routes/api-json';
/** App Router handlers that answer with a body; HEAD and OPTIONS answer without one by definition. */
const BODY_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every route handler of the console (`app/**\/route.ts`, `pages/api/**`) answers with a JSON body
 * on every path: its clients call `res.json()`, which throws on an empty body.
 */
export default definePolicy({
  id: ID,
  title: 'API route handlers always answer with a JSON body',
  severity: 'error',
  appliesTo: [NAV_FILE],
  messages: {
    'null-body':
      '{{at}}: {{code}} answers with an empty body, and the client\'s res.json() throws "Unexpected end of JSON input" — answer Response.json({ ok: true }) (or NextResponse.json)',
    'status-204':
      "{{at}}: status 204 has no body by definition, and the client's res.json() throws on it — answer 200 with a JSON body, e.g. Response.json({ ok: true })",
    'end-without-body': '{{at}}: {{code}} ends the response without a body — answer res.status(200).json({ ok: true })',
    redirect:
      '{{at}}: {{code}} answers an API request with a redirect, so a client that expects JSON gets HTML or an empty body — answer JSON with the target, e.g. Response.json({ redirect: url })',
    'falls-off-end':
      '{{at}}: the {{handler}} handler can reach its end without returning a response, and Next.js answers 500 with no JSON — return Response.json(…) on every path',
    'empty-return': '{{at}}: {{code}} in the {{handler}} handler returns no response — return Response.json(…)',
    'no-answer':
      '{{at}}: the {{handler}} API handler has a path that sends no response (it returns or reaches its end first), so the request hangs and the client gets no JSON — answer res.status(…).json(…) on every path',
    unreadable: '{{at}}: the route handler cannot be read ({{reason}}), so its answers cannot be checked — make it a UTF-8 source file under the size cap',
  },
  check(ctx) {
    const state = loadConsole(ctx);
    if (!state.ready) return skip(`the console's app cannot be read: ${state.because}`);
    const c = state.console;
    const out: PolicyFinding[] = [];
    for (const h of c.routes.filter((r) => r.kind === 'handler')) {
      const text = readAppText(c.app, h.file, MAX_SOURCE_BYTES);
      if (!text.ok) {
        out.push({
          ...atAppFile(c, h.file, { line: 1, column: 1 }, { pointer: '/app_dir' }),
          messageId: 'unreadable',
          data: { at: h.file, reason: text.reason },
        });
        continue;
      }
      const src = parseSource(h.file, text.value);
      out.push(...(h.router === 'app' ? checkAppHandler(c, src) : checkPagesHandler(c, src)));
    }
    return out;
  },
});

function finding(c: Console, src: Source, node: T.Node, messageId: string, data: Record<string, unknown> = {}): PolicyFinding {
  const r = rangeOf(src, node);
  return {
    ...atAppFile(c, src.file, r, { pointer: '/app_dir' }),
    messageId,
    key: `${messageId}:${src.file}:${r.line}:${r.column}`,
    data: { at: `${src.file}:${r.line}:${r.column}`, ...data },
  };
}

function isNullish(ts: typeof T, e: T.Expression | undefined): boolean {
  if (!e) return true;
  if (e.kind === ts.SyntaxKind.NullKeyword) return true;
  return ts.isIdentifier(e) && e.text === 'undefined';
}

/** The `status: 204` property of an object literal, if any. */
function status204(ts: typeof T, e: T.Expression | undefined): T.Node | undefined {
  if (!e || !ts.isObjectLiteralExpression(e)) return undefined;
  for (const p of e.properties) {
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'status' && ts.isNumericLiteral(p.initializer) && p.initializer.text === '204')
      return p;
  }
  return undefined;
}

/** Names bound to `redirect` / `permanentRedirect` of next/navigation in this module. */
function navigationRedirects(ts: typeof T, src: Source): Set<string> {
  const names = new Set<string>();
  for (const st of src.sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || st.moduleSpecifier.text !== 'next/navigation') continue;
    const bindings = st.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const el of bindings.elements) {
      const imported = (el.propertyName ?? el.name).text;
      if (imported === 'redirect' || imported === 'permanentRedirect') names.add(el.name.text);
    }
  }
  return names;
}

function checkAppHandler(c: Console, src: Source): PolicyFinding[] {
  const ts = typescript();
  const out: PolicyFinding[] = [];
  const redirects = navigationRedirects(ts, src);
  const handlers = exportedHandlers(ts, src);
  // HEAD and OPTIONS answer without a body by definition.
  const bodiless = new Set<T.Node>(handlers.filter((h) => !BODY_METHODS.has(h.name.text) && h.body).map((h) => h.body as T.Block));
  const visit = (node: T.Node): void => {
    if (bodiless.has(node)) return;
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && (node.expression.text === 'Response' || node.expression.text === 'NextResponse')) {
      const [body, init] = node.arguments ?? [];
      const s204 = status204(ts, init);
      if (s204) out.push(finding(c, src, s204, 'status-204'));
      else if (isNullish(ts, body)) out.push(finding(c, src, node, 'null-body', { code: codeOf(src, node) }));
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        (callee.expression.text === 'Response' || callee.expression.text === 'NextResponse')
      ) {
        const method = callee.name.text;
        if (method === 'redirect') out.push(finding(c, src, node, 'redirect', { code: codeOf(src, node) }));
        else if (method === 'json') {
          const s204 = status204(ts, node.arguments[1]);
          if (s204) out.push(finding(c, src, s204, 'status-204'));
        }
      } else if (ts.isIdentifier(callee) && redirects.has(callee.text)) {
        out.push(finding(c, src, node, 'redirect', { code: codeOf(src, node) }));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src.sf);
  for (const h of handlers) {
    if (!BODY_METHODS.has(h.name.text) || !h.body) continue;
    for (const r of emptyReturns(ts, h.body)) out.push(finding(c, src, r, 'empty-return', { code: codeOf(src, r), handler: h.name.text }));
    if (!alwaysExits(ts, h.body, redirects)) out.push(finding(c, src, h.name, 'falls-off-end', { handler: h.name.text }));
  }
  return out;
}

interface Handler {
  name: T.Identifier;
  /** A block body; an expression body always returns. */
  body: T.Block | undefined;
}

/** `export function GET() {}`, `export async function POST() {}`, `export const GET = async () => {}`. */
function exportedHandlers(ts: typeof T, src: Source): Handler[] {
  const out: Handler[] = [];
  const exported = (n: T.Node): boolean => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const st of src.sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name && exported(st)) out.push({ name: st.name, body: st.body });
    else if (ts.isVariableStatement(st) && exported(st)) {
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || !d.initializer) continue;
        const init = d.initializer;
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) {
          out.push({ name: d.name, body: ts.isBlock(init.body) ? init.body : undefined });
        }
      }
    }
  }
  return out;
}

/** `return;` statements of this function (not of nested functions). */
function emptyReturns(ts: typeof T, body: T.Block): T.ReturnStatement[] {
  const out: T.ReturnStatement[] = [];
  const visit = (n: T.Node): void => {
    if (ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && isNullish(ts, n.expression)) out.push(n);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}

/**
 * Whether control can never run past the end of `st`: it returns, throws, or calls a function that
 * never returns (`redirect`, `notFound`) on every path. Loops other than `while (true)` / `for (;;)`
 * without a `break` are assumed to finish.
 */
function alwaysExits(ts: typeof T, st: T.Statement, neverReturn: ReadonlySet<string>): boolean {
  if (ts.isReturnStatement(st) || ts.isThrowStatement(st)) return true;
  if (ts.isBlock(st)) return st.statements.some((s) => alwaysExits(ts, s, neverReturn));
  if (ts.isIfStatement(st))
    return st.elseStatement !== undefined && alwaysExits(ts, st.thenStatement, neverReturn) && alwaysExits(ts, st.elseStatement, neverReturn);
  if (ts.isTryStatement(st)) {
    if (st.finallyBlock && alwaysExits(ts, st.finallyBlock, neverReturn)) return true;
    return alwaysExits(ts, st.tryBlock, neverReturn) && (!st.catchClause || alwaysExits(ts, st.catchClause.block, neverReturn));
  }
  if (ts.isSwitchStatement(st)) {
    const clauses = st.caseBlock.clauses;
    if (!clauses.some((cl) => ts.isDefaultClause(cl)) || hasBreak(ts, st.caseBlock)) return false;
    // Without a break, each clause falls through to the next: the last one decides.
    const last = clauses[clauses.length - 1];
    return last !== undefined && last.statements.some((s) => alwaysExits(ts, s, neverReturn));
  }
  if (ts.isWhileStatement(st) || ts.isForStatement(st)) {
    const forever = ts.isWhileStatement(st) ? st.expression.kind === ts.SyntaxKind.TrueKeyword : st.condition === undefined;
    return forever && !hasBreak(ts, st.statement);
  }
  if (ts.isExpressionStatement(st)) {
    let e = st.expression;
    if (ts.isAwaitExpression(e)) e = e.expression;
    return ts.isCallExpression(e) && ts.isIdentifier(e.expression) && (neverReturn.has(e.expression.text) || e.expression.text === 'notFound');
  }
  return false;
}

/** A `break` that leaves `node` (not one of a nested loop or switch). */
function hasBreak(ts: typeof T, node: T.Node): boolean {
  let found = false;
  const visit = (n: T.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (ts.isBreakStatement(n) && !n.label) {
      found = true;
      return;
    }
    if (ts.isIterationStatement(n, false) || ts.isSwitchStatement(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/** Pages Router API routes: `res.status(204)`, `res.end()` / `res.send()` without a body, `res.redirect()`. */
function checkPagesHandler(c: Console, src: Source): PolicyFinding[] {
  const ts = typescript();
  const out: PolicyFinding[] = [];
  const visit = (node: T.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = node.expression.expression;
      const [first] = node.arguments;
      if ((method === 'status' || method === 'writeHead') && first && ts.isNumericLiteral(first) && first.text === '204') {
        out.push(finding(c, src, node, 'status-204'));
      } else if ((method === 'end' || method === 'send') && isNullish(ts, first) && !after204(ts, receiver)) {
        out.push(finding(c, src, node, 'end-without-body', { code: codeOf(src, node) }));
      } else if (method === 'redirect' && node.arguments.length > 0 && ts.isIdentifier(receiver)) {
        out.push(finding(c, src, node, 'redirect', { code: codeOf(src, node) }));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src.sf);
  const handler = pagesHandler(ts, src);
  if (handler && !delegates(ts, handler.body, handler.res) && leavesUnanswered(ts, handler.body, handler.res)) {
    out.push(finding(c, src, handler.name, 'no-answer', { handler: handler.name.getText(src.sf) }));
  }
  return out;
}

interface PagesHandler {
  /** What to point at: the function's name, or `export default`. */
  name: T.Node;
  body: T.Block;
  /** The name of the response parameter. */
  res: string;
}

/** The default export of a pages/api module, when it is a function with a block body and a named `res` parameter. */
function pagesHandler(ts: typeof T, src: Source): PagesHandler | undefined {
  const locals = new Map<string, { fn: T.FunctionLikeDeclaration; name: T.Node }>();
  for (const st of src.sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name) locals.set(st.name.text, { fn: st, name: st.name });
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer)))
          locals.set(d.name.text, { fn: d.initializer, name: d.name });
      }
    }
  }
  for (const st of src.sf.statements) {
    let fn: T.FunctionLikeDeclaration | undefined;
    let name: T.Node | undefined;
    if (ts.isFunctionDeclaration(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) {
      fn = st;
      name = st.name ?? st;
    } else if (ts.isExportAssignment(st) && !st.isExportEquals) {
      const e = st.expression;
      const local = ts.isIdentifier(e) ? locals.get(e.text) : undefined;
      if (local) ({ fn, name } = local);
      else if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
        fn = e;
        name = st;
      }
    }
    const res = fn?.parameters[1]?.name;
    if (fn?.body && ts.isBlock(fn.body) && res && ts.isIdentifier(res) && name) return { name, body: fn.body, res: res.text };
  }
  return undefined;
}

/** Whether `res` is handed to another function (a helper that answers): then the paths cannot be judged here. */
function delegates(ts: typeof T, body: T.Node, res: string): boolean {
  let found = false;
  const visit = (n: T.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && n.arguments.some((a) => ts.isIdentifier(a) && a.text === res)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(body);
  return found;
}

/** `res.json(…)`, `res.status(200).send(…)`, `res.end(…)`, `res.redirect(…)`: a call chain on `res` that answers. */
function answers(ts: typeof T, e: T.Expression, res: string): boolean {
  let x: T.Expression = e;
  while (ts.isAwaitExpression(x) || ts.isParenthesizedExpression(x) || ts.isVoidExpression(x)) x = x.expression;
  if (!ts.isCallExpression(x) || !ts.isPropertyAccessExpression(x.expression)) return false;
  if (!['json', 'send', 'end', 'redirect'].includes(x.expression.name.text)) return false;
  let root: T.Expression = x.expression.expression;
  while (ts.isCallExpression(root) && ts.isPropertyAccessExpression(root.expression)) root = root.expression.expression;
  return ts.isIdentifier(root) && root.text === res;
}

/** `broke`: a `break` left the enclosing switch. */
type PathEnd = 'answered' | 'returned' | 'open' | 'broke';

/**
 * How paths through `st` end when nothing was sent before it: every path answers (or throws, which
 * Next.js turns into a 500), some return without answering, or some run on past it.
 */
function pathEnds(ts: typeof T, st: T.Statement, res: string): Set<PathEnd> {
  if (ts.isThrowStatement(st)) return new Set(['answered']);
  if (ts.isReturnStatement(st)) return new Set([st.expression && answers(ts, st.expression, res) ? 'answered' : 'returned']);
  if (ts.isExpressionStatement(st)) return new Set([answers(ts, st.expression, res) ? 'answered' : 'open']);
  if (ts.isBreakStatement(st) && !st.label) return new Set(['broke']);
  if (ts.isBlock(st)) return sequence(ts, st.statements, res);
  if (ts.isSwitchStatement(st)) {
    // Each clause runs on into the next until a break; without a default, no clause may run.
    const clauses = st.caseBlock.clauses;
    const ends = new Set<PathEnd>(clauses.some((cl) => ts.isDefaultClause(cl)) ? [] : ['open']);
    clauses.forEach((_, i) => {
      for (const e of sequence(
        ts,
        clauses.slice(i).flatMap((cl) => [...cl.statements]),
        res,
      ))
        ends.add(e === 'broke' ? 'open' : e);
    });
    return ends;
  }
  if (ts.isIfStatement(st)) {
    const ends = pathEnds(ts, st.thenStatement, res);
    for (const e of st.elseStatement ? pathEnds(ts, st.elseStatement, res) : ['open' as const]) ends.add(e);
    return ends;
  }
  if (ts.isTryStatement(st)) {
    const ends = pathEnds(ts, st.tryBlock, res);
    if (st.catchClause) for (const e of pathEnds(ts, st.catchClause.block, res)) ends.add(e);
    if (st.finallyBlock && [...pathEnds(ts, st.finallyBlock, res)].every((e) => e === 'answered')) return new Set(['answered']);
    return ends;
  }
  // Loops, switches and the rest: judged as running on (a response sent inside is not relied on).
  return new Set(['open']);
}

function sequence(ts: typeof T, statements: readonly T.Statement[], res: string): Set<PathEnd> {
  const ends = new Set<PathEnd>(['open']);
  for (const s of statements) {
    if (!ends.has('open')) break;
    ends.delete('open');
    for (const e of pathEnds(ts, s, res)) ends.add(e);
  }
  return ends;
}

function leavesUnanswered(ts: typeof T, body: T.Block, res: string): boolean {
  const ends = pathEnds(ts, body, res);
  return ends.has('open') || ends.has('returned');
}

/** `res.status(204).end()`: reported once, at the status. */
function after204(ts: typeof T, receiver: T.Expression): boolean {
  return (
    ts.isCallExpression(receiver) &&
    ts.isPropertyAccessExpression(receiver.expression) &&
    receiver.expression.name.text === 'status' &&
    receiver.arguments[0] !== undefined &&
    ts.isNumericLiteral(receiver.arguments[0]) &&
    receiver.arguments[0].text === '204'
  );
}
