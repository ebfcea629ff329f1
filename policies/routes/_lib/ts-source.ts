// The console's TypeScript/JavaScript sources parsed with the compiler's own parser, and node
// ranges as findings want them: 1-based lines, columns in code points, end column exclusive.
import { createRequire } from 'node:module';
import type * as TsTypes from 'typescript';

export type TS = typeof import('typescript');
let loaded: TS | undefined;

/**
 * Loads the compiler on first use. `require` rather than `await import()`: importing the 9 MB
 * CommonJS bundle from ESM makes Node scan it for named exports, about four times slower.
 */
export function typescript(): TS {
  loaded ??= createRequire(import.meta.url)('typescript') as TS;
  return loaded;
}

export interface Source {
  file: string;
  text: string;
  sf: TsTypes.SourceFile;
}

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'] as const;

export function parseSource(file: string, text: string): Source {
  const ts = typescript();
  const kind = /\.(tsx|jsx)$/.test(file) ? ts.ScriptKind.TSX : /\.(js|mjs|cjs)$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  return { file, text, sf: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind) };
}

export interface NodeRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

function position(src: Source, offset: number): { line: number; column: number } {
  const lc = src.sf.getLineAndCharacterOfPosition(offset);
  const lineStart = src.sf.getPositionOfLineAndCharacter(lc.line, 0);
  return { line: lc.line + 1, column: [...src.text.slice(lineStart, offset)].length + 1 };
}

/** The range of a node from its first token (comments excluded) to its end. */
export function rangeOf(src: Source, node: TsTypes.Node): NodeRange {
  const start = position(src, node.getStart(src.sf));
  const end = position(src, node.getEnd());
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

/** Whether the module starts with the directive `directive` (e.g. 'use client'). */
export function hasDirective(src: Source, directive: string): boolean {
  const ts = typescript();
  for (const st of src.sf.statements) {
    if (!ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression)) return false;
    if (st.expression.text === directive) return true;
  }
  return false;
}

/** A node's source on one line, whitespace collapsed and shortened, for a message. */
export function codeOf(src: Source, node: TsTypes.Node): string {
  const s = node.getText(src.sf).replace(/\s+/g, ' ');
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
