// Finds `.json()` calls on the Response of a `fetch`: `(await fetch(u)).json()`,
// `const res = await fetch(u); res.json()`, `fetch(u).then((r) => r.json())`. Names are resolved
// with the compiler's binder (one file, no lib), so a `res` of another scope is never mistaken
// for a response.
import type * as T from 'typescript';
import { typescript, type Source } from './ts-source.ts';

function checkerFor(src: Source): T.TypeChecker {
  const ts = typescript();
  const options: T.CompilerOptions = { noLib: true, noResolve: true, allowJs: true, jsx: ts.JsxEmit.Preserve, target: ts.ScriptTarget.Latest };
  const host: T.CompilerHost = {
    getSourceFile: (name) => (name === src.file ? src.sf : undefined),
    getDefaultLibFileName: () => 'lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => f === src.file,
    readFile: () => undefined,
  };
  return ts.createProgram({ rootNames: [src.file], options, host }).getTypeChecker();
}

function strip(ts: typeof T, e: T.Expression): T.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e))
      e = e.expression;
    else return e;
  }
}

/** `fetch(…)`, `window.fetch(…)`, `globalThis.fetch(…)`. */
function isFetchCall(ts: typeof T, e: T.Expression): boolean {
  if (!ts.isCallExpression(e)) return false;
  const c = e.expression;
  if (ts.isIdentifier(c)) return c.text === 'fetch';
  return (
    ts.isPropertyAccessExpression(c) && c.name.text === 'fetch' && ts.isIdentifier(c.expression) && ['window', 'globalThis', 'self'].includes(c.expression.text)
  );
}

export function fetchJsonCalls(src: Source): T.CallExpression[] {
  const ts = typescript();
  let checker: T.TypeChecker | undefined;
  const isResponse = (expr: T.Expression): boolean => {
    const e = strip(ts, expr);
    if (isFetchCall(ts, e)) return true;
    if (!ts.isIdentifier(e)) return false;
    checker ??= checkerFor(src);
    const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (!decl) return false;
    if (ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) && decl.initializer) {
      const init = strip(ts, decl.initializer);
      return isFetchCall(ts, init) && (ts.isAwaitExpression(decl.initializer) || hasAwait(ts, decl.initializer));
    }
    // `fetch(u).then((res) => res.json())`: the first parameter of the first callback of `.then` on a fetch.
    if (ts.isParameter(decl) && decl.parent.parameters[0] === decl) {
      const fn = decl.parent;
      const call = fn.parent;
      return (
        (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) &&
        ts.isCallExpression(call) &&
        call.arguments[0] === fn &&
        ts.isPropertyAccessExpression(call.expression) &&
        call.expression.name.text === 'then' &&
        isFetchCall(ts, strip(ts, call.expression.expression))
      );
    }
    return false;
  };
  const out: T.CallExpression[] = [];
  const visit = (n: T.Node): void => {
    if (
      ts.isCallExpression(n) &&
      n.arguments.length === 0 &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'json' &&
      isResponse(n.expression.expression)
    ) {
      out.push(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(src.sf);
  return out;
}

function hasAwait(ts: typeof T, e: T.Expression): boolean {
  let x: T.Expression = e;
  for (;;) {
    if (ts.isAwaitExpression(x)) return true;
    if (ts.isParenthesizedExpression(x) || ts.isNonNullExpression(x) || ts.isAsExpression(x) || ts.isSatisfiesExpression(x)) x = x.expression;
    else return false;
  }
}

/** Whether `fn`'s body parses JSON (`JSON.parse(…)` or `.json()`) only inside a `try` with a `catch`. */
export function parsesJsonSafely(fn: T.Node): { parses: boolean; guarded: boolean } {
  const ts = typescript();
  let parses = false;
  let unguarded = false;
  const visit = (n: T.Node, inTry: boolean): void => {
    if (ts.isTryStatement(n)) {
      visit(n.tryBlock, inTry || n.catchClause !== undefined);
      if (n.catchClause) visit(n.catchClause, inTry);
      if (n.finallyBlock) visit(n.finallyBlock, inTry);
      return;
    }
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const callee = n.expression;
      const isParse =
        (callee.name.text === 'parse' && ts.isIdentifier(callee.expression) && callee.expression.text === 'JSON') ||
        (callee.name.text === 'json' && n.arguments.length === 0);
      // `.catch(…)` on the promise of `.json()` guards it as well.
      if (isParse) {
        parses = true;
        const caught = ts.isPropertyAccessExpression(n.parent) && n.parent.name.text === 'catch' && ts.isCallExpression(n.parent.parent);
        if (!inTry && !caught) unguarded = true;
      }
    }
    ts.forEachChild(n, (c) => visit(c, inTry));
  };
  visit(fn, false);
  return { parses, guarded: parses && !unguarded };
}
