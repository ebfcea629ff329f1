import type { RepoContext } from '../../../gates/core/repo.ts';
import { locatePointer } from '../../../gates/core/yaml.ts';

/** One JSON pointer segment, escaped. */
export function seg(s: string | number): string {
  return String(s).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A scalar reached by `walk`: its pointer, the key it sits under (the parent key for list items),
 * the mapping that holds it (for list items: none), and its value.
 */
export interface Leaf {
  pointer: string;
  key: string | undefined;
  parent: Record<string, unknown> | undefined;
  value: unknown;
}

/** Every scalar of a plain YAML value, depth first, in document order. */
export function walk(value: unknown, visit: (leaf: Leaf) => void): void {
  step(value, visit, '', undefined, undefined);
}

function step(value: unknown, visit: (leaf: Leaf) => void, pointer: string, key: string | undefined, parent: Record<string, unknown> | undefined): void {
  if (Array.isArray(value)) value.forEach((v, i) => step(v, visit, `${pointer}/${i}`, key, undefined));
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) step(v, visit, `${pointer}/${seg(k)}`, k, value);
  else visit({ pointer, key, parent, value });
}

/** The SSOT YAML files that parsed cleanly, with their first document. */
export function ssotDocs(ctx: RepoContext): Array<{ file: string; data: unknown }> {
  return ctx.memo('ssot/docs', () =>
    ctx
      .glob(['ssot/**/*.yaml', 'ssot/**/*.yml'])
      .map((file) => ({ file, data: ctx.data(file) }))
      .filter((d) => d.data !== undefined),
  );
}

/** 1-based line of what a pointer designates in a YAML file (1 when the file is unreadable). */
export function lineOf(ctx: RepoContext, file: string, pointer: string): number {
  const y = ctx.yaml(file);
  return y ? locatePointer(y, pointer).range.line : 1;
}

/** `the file:line` form used when a finding names another place. */
export function placeOf(ctx: RepoContext, file: string, pointer: string): string {
  return `${file}:${lineOf(ctx, file, pointer)}`;
}
