import type { Reporter } from './types.ts';

/** `--timing`: each policy's time, slowest first, then the whole run's. */
export const timing: Reporter = (result) => {
  const rows = [...result.policies].sort((a, b) => b.durationMs - a.durationMs);
  const w = Math.max(...rows.map((r) => r.id.length), 6);
  const lines = rows.map((r) => `${r.id.padEnd(w)}  ${r.status === 'skipped' ? 'skipped' : `${r.durationMs.toFixed(1)} ms`}`);
  return `${'policy'.padEnd(w)}  time\n${lines.join('\n')}\ntotal ${result.durationMs} ms\n`;
};
