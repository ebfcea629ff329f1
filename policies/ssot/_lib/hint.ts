import { suggest } from '../../../gates/core/schema.ts';

/** How many candidates a message lists when none is close to the broken name. */
const LISTED = 6;

/**
 * What exists instead of a broken name: ` — did you mean X?` for a likely typo, else the first
 * candidates in order (` — known <what>: a, b, c and 4 more`), else ''.
 */
export function instead(value: string, candidates: readonly string[], what: string): string {
  const close = suggest(value, candidates);
  if (close) return close;
  if (candidates.length === 0) return '';
  const sorted = [...new Set(candidates)].sort();
  const shown = sorted.slice(0, LISTED).map((c) => `\`${c}\``).join(', ');
  return ` — known ${what}: ${shown}${sorted.length > LISTED ? ` and ${sorted.length - LISTED} more` : ''}`;
}
