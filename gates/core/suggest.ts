// "Did you mean": the one wording of a suggestion for a name that does not exist.

/**
 * The wording of a suggestion in a policy message template: the template ends a clause with it
 * and names the closest candidate in `data.suggestion` (see {@link closest}).
 */
export const DID_YOU_MEAN = ' — did you mean `{{suggestion}}`?';

/** ` — did you mean \`X\`?` for the closest candidate, or ''. */
export function suggest(value: string, candidates: readonly string[]): string {
  const best = closest(value, candidates);
  return best ? DID_YOU_MEAN.replace('{{suggestion}}', best) : '';
}

/** How many candidates {@link instead} lists when none is close to the broken name. */
const LISTED = 6;

/**
 * What exists instead of a broken name: {@link suggest}'s ` — did you mean \`X\`?` for a likely
 * typo, else the first candidates in order (` — known <what>: a, b, c and 4 more`), else ''.
 */
export function instead(value: string, candidates: readonly string[], what: string): string {
  const close = suggest(value, candidates);
  if (close) return close;
  if (candidates.length === 0) return '';
  return ` — known ${what}: ${listed(candidates)}`;
}

/**
 * The first candidates in order, in backticks (`` `a`, `b`, `c` and 4 more ``): what exists
 * instead of a broken name, for a message template that lists it.
 */
export function listed(candidates: readonly string[]): string {
  const sorted = [...new Set(candidates)].sort();
  const shown = sorted
    .slice(0, LISTED)
    .map((c) => `\`${c}\``)
    .join(', ');
  return `${shown}${sorted.length > LISTED ? ` and ${sorted.length - LISTED} more` : ''}`;
}

/**
 * What exists instead of a broken name, as the policy message to use: `<id>-typo` naming the
 * closest candidate (`data.suggestion`, for a template ending a clause with {@link DID_YOU_MEAN}),
 * else `<id>` listing the candidates (`data.known`, see {@link listed}), else `<id>-none-known`.
 * `data` holds the message's other values.
 */
export function insteadOf(
  id: string,
  value: string,
  candidates: readonly string[],
  data: Record<string, unknown>,
): { messageId: string; data: Record<string, unknown> } {
  const suggestion = closest(value, candidates);
  if (suggestion) return { messageId: `${id}-typo`, data: { ...data, suggestion } };
  if (candidates.length > 0) return { messageId: id, data: { ...data, known: listed(candidates) } };
  return { messageId: `${id}-none-known`, data };
}

/** The candidate closest to `value` by edit distance, if it is close enough to be a likely typo. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(value.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  return bestD <= Math.max(2, Math.floor(Math.max(value.length, best.length) / 3)) ? best : undefined;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min(tmp + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}
