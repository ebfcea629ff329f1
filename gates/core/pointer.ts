// JSON pointers (RFC 6901): the one place that escapes and splits them.

/** One reference token, escaped: `~` becomes `~0`, `/` becomes `~1`. */
export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The pointer of a path of keys and indexes: `pointerOf('a', 0, 'b/c')` is `/a/0/b~1c`. */
export function pointerOf(...segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => `/${escapeSegment(s)}`).join('');
}

/** The unescaped reference tokens of a pointer (`''` and `/` are the whole document). */
export function decodePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
