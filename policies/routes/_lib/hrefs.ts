// Extracts the `href` literals of a TSX/JSX module with the TypeScript compiler's own parser:
// `<Link href="/logs">`, `href={'/logs'}`, `href={`/logs`}` and `{ href: '/logs' }` objects.
// Hrefs built at run time (template substitutions, variables) cannot be known statically.
import type * as T from 'typescript';
import { parseSource, rangeOf, typescript, type NodeRange } from './ts-source.ts';

/** An href literal, at the range of the literal itself (its quotes included). */
export interface HrefLiteral extends NodeRange {
  href: string;
}

export function extractHrefs(fileName: string, text: string): HrefLiteral[] {
  const ts = typescript();
  const src = parseSource(fileName, text);
  const out: HrefLiteral[] = [];
  const literal = (node: T.Node | undefined): void => {
    if (!node) return;
    if (ts.isParenthesizedExpression(node)) return literal(node.expression);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push({ href: node.text, ...rangeOf(src, node) });
  };
  const isHrefName = (name: T.Node): boolean => (ts.isIdentifier(name) || ts.isStringLiteral(name)) && name.text === 'href';
  const visit = (node: T.Node): void => {
    if (ts.isJsxAttribute(node) && ts.isIdentifier(node.name) && node.name.text === 'href') {
      const init = node.initializer;
      if (init && ts.isJsxExpression(init)) literal(init.expression);
      else literal(init);
    } else if (ts.isPropertyAssignment(node) && isHrefName(node.name)) {
      literal(node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(src.sf);
  return out;
}
