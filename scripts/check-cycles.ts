// Fails (exit 1) on any import cycle among the project's own modules, static or dynamic, and on a
// policy that can start a process: policies see git only through `ctx.git`, so no module a policy
// loads at run time (under policies/, or in the engine through them) may name `node:child_process`
// or load the engine's git runner (gates/core/git.ts).
//   npx tsx scripts/check-cycles.ts [ROOT]
// Edges are what runs: `import`/`export … from` and `import('…')` with a literal path; `import type`
// and type-only specifiers are erased by TypeScript and make no edge. Node's built-ins and packages
// are not followed. Written on the TypeScript parser the engine already depends on, so the check
// sees exactly the syntax the compiler sees (`.ts` extensions, `import()` inside functions).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { walkFiles } from '../gates/core/tree.ts';

const SOURCE_DIRS = ['gates', 'policies', 'scripts', 'bench', 'test', 'ingest'];
const EXTENSIONS = ['.ts', '.mts', '.mjs', '.js'];

/** Every module file below the source folders (fixtures, dependencies and build output excluded). */
export function moduleFiles(root: string): string[] {
  // Build output (`.next` of the test apps) is not source.
  const skipDirs = new Set(['node_modules', '__fixtures__', '.next']);
  return SOURCE_DIRS.flatMap((d) =>
    walkFiles(root, d, { skipDirs })
      .files.filter((f) => EXTENSIONS.some((x) => f.endsWith(x)) && !f.endsWith('.d.ts'))
      .map((f) => path.join(root, d, f)),
  ).sort();
}

/** The project modules `file` loads at run time, statically or through `import()`. */
export function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly === true ||
        (clause !== undefined &&
          clause.name === undefined &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) specs.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) specs.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) specs.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return specs.filter((s) => s.startsWith('.')).flatMap((s) => resolve(path.dirname(file), s));
}

function resolve(dir: string, spec: string): string[] {
  const base = path.resolve(dir, spec);
  for (const candidate of [base, ...EXTENSIONS.map((x) => base + x), ...EXTENSIONS.map((x) => path.join(base, `index${x}`))]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return [candidate];
  }
  return [];
}

/** Every cycle of the module graph, one per strongly connected component, as a closed path of files. */
export function findCycles(root: string): string[][] {
  const files = moduleFiles(root);
  const graph = new Map(files.map((f) => [f, runtimeImports(f)]));
  // Tarjan's strongly connected components, iterative so deep graphs cannot overflow the stack.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  for (const start of files) {
    if (idx.has(start)) continue;
    const work: Array<{ v: string; next: number }> = [{ v: start, next: 0 }];
    idx.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1] as { v: string; next: number };
      const edges = graph.get(top.v) ?? [];
      if (top.next < edges.length) {
        const w = edges[top.next++] as string;
        if (!graph.has(w)) continue;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, next: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v) as number, idx.get(w) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v) as number, low.get(top.v) as number));
      if (low.get(top.v) === idx.get(top.v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== top.v);
        const selfLoop = component.length === 1 && (graph.get(top.v) ?? []).includes(top.v);
        if (component.length > 1 || selfLoop) cycles.push(pathThrough(component, graph));
      }
    }
  }
  return cycles.map((c) => c.map((f) => path.relative(root, f).split(path.sep).join('/')));
}

/** A closed path through a strongly connected component, from its first file back to it. */
function pathThrough(component: string[], graph: Map<string, string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] as string;
  // Breadth-first from start back to start, inside the component.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift() as string;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const out = [start];
        for (let x: string | undefined = v; x !== undefined && x !== start; x = prev.get(x)) out.splice(1, 0, x);
        return [...out, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The engine's git runner: what a policy reaches through `ctx.git`, never by importing it. */
const GIT_RUNNER = 'gates/core/git.ts';
const CHILD_PROCESS = new Set(['child_process', 'node:child_process']);

/** True when the module names `child_process` (import, `export … from`, `import()`, `require()`, createRequire). */
export function namesChildProcess(file: string): boolean {
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes('child_process')) return false;
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isStringLiteralLike(node) && CHILD_PROCESS.has(node.text)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

/**
 * Every module a policy loads at run time that can start a process: one that names
 * `node:child_process`, or the git runner. Each as the import chain from the first policy module
 * (fixtures excluded) that reaches it, root-relative; empty when policies are hermetic.
 */
export function processEscapes(root: string): string[][] {
  const rel = (f: string): string => path.relative(root, f).split(path.sep).join('/');
  const starts = moduleFiles(root).filter((f) => rel(f).startsWith('policies/'));
  const parent = new Map<string, string | undefined>(starts.map((f) => [f, undefined]));
  const queue = [...starts];
  const escapes: string[][] = [];
  while (queue.length) {
    const v = queue.shift() as string;
    if (rel(v) === GIT_RUNNER || namesChildProcess(v)) {
      const chain: string[] = [];
      for (let x: string | undefined = v; x !== undefined; x = parent.get(x)) chain.unshift(rel(x));
      escapes.push(chain);
      continue;
    }
    for (const w of runtimeImports(v)) {
      if (parent.has(w)) continue;
      parent.set(w, v);
      queue.push(w);
    }
  }
  return escapes;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = path.resolve(process.argv[2] ?? '.');
  const cycles = findCycles(root);
  for (const c of cycles) process.stderr.write(`import cycle: ${c.join(' → ')}\n`);
  if (cycles.length) {
    process.stderr.write(
      `${cycles.length} import cycle(s); break each by moving what both sides need into a module of its own, or pass it in (as ctx.policyIds)\n`,
    );
  }
  const escapes = processEscapes(root);
  for (const e of escapes) process.stderr.write(`policy can start a process: ${e.join(' → ')}\n`);
  if (escapes.length) {
    process.stderr.write(
      `${escapes.length} module(s) loaded by policies can start a process; a policy reads history through ctx.git (commitExists, filesAt, show, mergeBase, addedLines) and never runs git or child_process itself\n`,
    );
  }
  if (cycles.length || escapes.length) process.exit(1);
  process.stdout.write(`no import cycles among ${moduleFiles(root).length} modules; no policy can start a process\n`);
}
