export interface TextChange {
  /** Unified diff from `before` to `after`. */
  patch: string;
  /** First changed line of `after` (1-based); the line after its end when lines were only removed. */
  firstLine: number;
  /** One-line summary, e.g. `line 4: -"a int" +"a bigint"`. */
  summary: string;
}

/** How `after` differs from `before` (undefined when equal). The diff library loads on first use. */
export async function describeChange(file: string, before: string, after: string): Promise<TextChange | undefined> {
  if (before === after) return undefined;
  const { createTwoFilesPatch, diffLines } = await import('diff');
  const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, 'base', 'head', { context: 1 });
  let line = 1;
  let removed: string | undefined;
  let added: string | undefined;
  let firstLine: number | undefined;
  for (const part of diffLines(before, after)) {
    const lines = part.value.split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (!part.added && !part.removed) {
      if (firstLine !== undefined) break;
      line += lines.length;
      continue;
    }
    firstLine ??= line;
    if (part.removed) removed ??= lines[0] ?? '';
    else {
      added ??= lines[0] ?? '';
      line += lines.length;
    }
  }
  const show = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
  const summary = [removed !== undefined ? `-${show(removed)}` : '', added !== undefined ? `+${show(added)}` : ''].filter(Boolean).join(' ');
  return { patch, firstLine: firstLine ?? 1, summary: `line ${firstLine ?? 1}: ${summary}` };
}
