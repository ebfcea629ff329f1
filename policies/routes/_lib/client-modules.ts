// The console's client code: every module that starts with 'use client', and every module of the
// app they import (relative paths and tsconfig `paths` aliases such as `@/lib/x`), transitively.
import path from 'node:path';
import type * as T from 'typescript';
import { isAppFile, listAppFiles, MAX_SOURCE_BYTES, readAppText, type AppDir } from './app-fs.ts';
import { hasDirective, parseSource, SOURCE_EXTENSIONS, typescript, type Source } from './ts-source.ts';

export interface ClientModules {
  /** Parsed client modules by app-relative path, sorted. */
  modules: Source[];
  /** Source files that could not be read, with why. */
  unreadable: Array<{ file: string; reason: string }>;
}

const SOURCE_FILE = /\.(tsx?|jsx?|mjs|cjs|mts|cts)$/;
/** A quick test before parsing: the directive among the first statements. */
const USE_CLIENT = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/|(['"])use [a-z ]+\1;?)*(['"])use client\2/;

interface Alias {
  prefix: string;
  targets: string[];
}

export function clientModules(app: AppDir): ClientModules {
  const all = listAppFiles(app, '.').files.filter((f) => SOURCE_FILE.test(f) && !f.endsWith('.d.ts'));
  const aliases = readAliases(app);
  const parsed = new Map<string, Source>();
  const unreadable: ClientModules['unreadable'] = [];
  const queue: string[] = [];
  for (const f of all) {
    const text = readAppText(app, f, MAX_SOURCE_BYTES);
    if (!text.ok) {
      unreadable.push({ file: f, reason: text.reason });
      continue;
    }
    if (!USE_CLIENT.test(text.value)) continue;
    const src = parseSource(f, text.value);
    if (!hasDirective(src, 'use client')) continue;
    parsed.set(f, src);
    queue.push(f);
  }
  while (queue.length) {
    const src = parsed.get(queue.shift() as string) as Source;
    for (const spec of importSpecifiers(src)) {
      const target = resolveImport(app, src.file, spec, aliases);
      if (!target || parsed.has(target)) continue;
      const text = readAppText(app, target, MAX_SOURCE_BYTES);
      if (!text.ok) continue;
      parsed.set(target, parseSource(target, text.value));
      queue.push(target);
    }
  }
  const modules = [...parsed.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { modules, unreadable };
}

/** Static imports, re-exports and `import('…')` with a literal specifier. */
function importSpecifiers(src: Source): string[] {
  const ts = typescript();
  const out: string[] = [];
  const visit = (n: T.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      if (!(ts.isImportDeclaration(n) && n.importClause?.isTypeOnly)) out.push(n.moduleSpecifier.text);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) {
      out.push(n.arguments[0].text);
    }
    ts.forEachChild(n, visit);
  };
  visit(src.sf);
  return out;
}

/** `compilerOptions.paths` of the app's tsconfig.json (or jsconfig.json), e.g. `@/*` → `./src/*`. */
function readAliases(app: AppDir): Alias[] {
  const ts = typescript();
  for (const name of ['tsconfig.json', 'jsconfig.json']) {
    const text = readAppText(app, name, MAX_SOURCE_BYTES);
    if (!text.ok) continue;
    const parsed = ts.parseConfigFileTextToJson(name, text.value).config as
      { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } } | undefined;
    const base = parsed?.compilerOptions?.baseUrl ?? '.';
    const out: Alias[] = [];
    for (const [pattern, targets] of Object.entries(parsed?.compilerOptions?.paths ?? {})) {
      if (!Array.isArray(targets)) continue;
      out.push({ prefix: pattern.replace(/\*$/, ''), targets: targets.map((t) => path.posix.join(base, t).replace(/\*$/, '')) });
    }
    return out;
  }
  return [];
}

/** The app-relative file an import names, when it is a module of the app. */
export function resolveImport(app: AppDir, from: string, spec: string, aliases: readonly Alias[] = readAliases(app)): string | undefined {
  let bases: string[];
  if (spec.startsWith('./') || spec.startsWith('../')) bases = [path.posix.join(path.posix.dirname(from), spec)];
  else {
    const alias = aliases.find((a) => (a.prefix.endsWith('/') ? spec.startsWith(a.prefix) : spec === a.prefix));
    if (!alias) return undefined;
    bases = alias.targets.map((t) => path.posix.normalize(t + spec.slice(alias.prefix.length)));
  }
  for (const base of bases) {
    if (base.startsWith('..')) continue;
    const candidates = [base, ...SOURCE_EXTENSIONS.map((e) => base + e), ...SOURCE_EXTENSIONS.map((e) => `${base}/index${e}`)];
    // `./x.js` written for `./x.ts` (ESM style).
    if (/\.(m|c)?js$/.test(base)) candidates.push(...['.ts', '.tsx', '.mts', '.cts'].map((e) => base.replace(/\.(m|c)?js$/, e)));
    const hit = candidates.find((c) => SOURCE_FILE.test(c) && isAppFile(app, c));
    if (hit) return hit;
  }
  return undefined;
}
