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
