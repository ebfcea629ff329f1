import type { Finding } from '../core/finding.ts';

/** `1 error`, `2 errors`, `3 policies`: a count and its noun in the number it takes. */
export function plural(n: number, word: string, many = word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The items grouped by a key, groups in first-seen order and items in their order. */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/**
 * A finding's text as every report shows it: the policy's message, then how its location was
 * reached (through a YAML alias, in which document of a multi-document file). The runner keeps
 * these as data (`alias`, `doc`, `docCount`); this is the one place that words them.
 */
export function findingText(f: Pick<Finding, 'message' | 'alias' | 'doc' | 'docCount'>): string {
  let text = f.message;
  if (f.alias) text += ` (reached through alias *${f.alias.name}; the anchor &${f.alias.name} is at line ${f.alias.line})`;
  if (f.docCount !== undefined && f.docCount > 1) text += ` (document ${(f.doc ?? 0) + 1} of ${f.docCount})`;
  return text;
}
