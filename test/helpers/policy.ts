import type { Policy } from '../../gates/core/policy.ts';
import type { PolicyId } from '../../policies/ids.ts';
import { policies } from '../../policies/index.ts';

/** The registered policy with this id; throws for an unknown id so a typo cannot pass silently. */
export function policyById(id: PolicyId): Policy {
  const p = policies.find((x) => x.id === id);
  if (!p) throw new Error(`no policy ${id}`);
  return p;
}
