import fs from 'node:fs';
import path from 'node:path';
import { ENGINE_DIR } from '../core/artifacts.ts';
import type { Policy } from '../core/policy.ts';
import { UsageError, unknownPolicy, type CliIO } from './io.ts';

/** `gates explain <id>`: the policy's docs page. */
export function explain(io: CliIO, policies: readonly Policy[], id: string | undefined): number {
  if (!id) throw new UsageError('explain needs a policy id');
  const p = policies.find((x) => x.id === id);
  if (!p)
    throw unknownPolicy(
      'policy',
      id,
      policies.map((x) => x.id),
    );
  const file = path.join(ENGINE_DIR, p.docs);
  if (!fs.existsSync(file)) throw new Error(`policy ${id} has no docs page at ${p.docs}`);
  io.stdout(`${p.id} (${p.severity}): ${p.title}\n\n${fs.readFileSync(file, 'utf8')}`);
  return 0;
}
