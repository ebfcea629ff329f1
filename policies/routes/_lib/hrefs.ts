// Extracts the `href` literals of a TSX/JSX module with the TypeScript compiler's own parser:
// `<Link href="/logs">`, `href={'/logs'}`, `href={`/logs`}` and `{ href: '/logs' }` objects.
// Hrefs built at run time (template substitutions, variables) cannot be known statically.
import { createRequire } from 'node:module';

type TS = typeof import('typescript');
let loaded: TS | undefined;

/**
 * Loads the compiler on first use. `require` rather than `await import()`: importing the 9 MB
 * CommonJS bundle from ESM makes Node scan it for named exports, about four times slower.
 */
function typescript(): TS {
  loaded ??= createRequire(import.meta.url)('typescript') as TS;
  return loaded;
}

export interface HrefLiteral {
  href: string;
  /** 1-based line and column of the literal (its opening quote). */
  line: number;
  column: number;
}

export function extractHrefs(fileName: string, text: string): HrefLiteral[] {
  const ts = typescript();
  const kind = /\.(tsx|jsx)$/.test(fileName) ? ts.ScriptKind.TSX : /\.(js|mjs)$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const out: HrefLiteral[] = [];
  const literal = (node: import('typescript').Node | undefined): void => {
    if (!node) return;
    if (ts.isParenthesizedExpression(node)) return literal(node.expression);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const pos = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      const lineText = text.slice(text.lastIndexOf('\n', node.getStart(sf) - 1) + 1, node.getStart(sf));
      out.push({ href: node.text, line: pos.line + 1, column: [...lineText].length + 1 });
    }
  };
  const isHrefName = (name: import('typescript').Node): boolean => (ts.isIdentifier(name) || ts.isStringLiteral(name)) && name.text === 'href';
  const visit = (node: import('typescript').Node): void => {
    if (ts.isJsxAttribute(node) && ts.isIdentifier(node.name) && node.name.text === 'href') {
      const init = node.initializer;
      if (init && ts.isJsxExpression(init)) literal(init.expression);
      else literal(init);
    } else if (ts.isPropertyAssignment(node) && isHrefName(node.name)) {
      literal(node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}
