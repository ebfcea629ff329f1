import type { Policy } from '../core/policy.ts';
import type { CliIO } from './io.ts';

/** `gates list`: every policy, one per line: id, severity, title, docs page. */
export function list(io: CliIO, policies: readonly Policy[]): number {
  const w = Math.max(...policies.map((p) => p.id.length));
  for (const p of policies) io.stdout(`${p.id.padEnd(w)}  ${p.severity.padEnd(7)}  ${p.title}  (${p.docs})\n`);
  return 0;
}
