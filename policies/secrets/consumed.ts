import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { DID_YOU_MEAN, insteadOf } from '../../gates/core/suggest.ts';
import { escapeSegment } from '../../gates/core/pointer.ts';
import { consumerIds, REGISTRY_FILE, registrySecrets } from '../_lib/ssot.ts';
import { ssotModelUnaffected } from '../ssot/_lib/changes.ts';

const UNKNOWN = 'consumer `{{consumer}}` of secret `{{secret}}` is not an integration slug, provider id or runner id of the SSOT';

/**
 * A registered secret is read by something that exists (an integration slug, a provider id or a
 * runner id), or it says why nothing reads it yet — never both, never neither.
 */
export default definePolicy({
  id: 'secrets/consumed',
  title: 'Every registered secret has a real consumer or is marked not yet consumed',
  severity: 'error',
  appliesTo: ['ssot/**'],
  unaffected: ssotModelUnaffected,
  messages: {
    unconsumed:
      'secret `{{secret}}` has no consumers; list the integration slugs, provider ids or runner ids that read it, or say why nothing does in `not_yet_consumed`',
    'consumed-and-parked': 'secret `{{secret}}` is marked `not_yet_consumed` but lists consumers ({{consumers}}); remove the mark or the consumers',
    'unknown-consumer-typo': `${UNKNOWN}${DID_YOU_MEAN}`,
    'unknown-consumer': `${UNKNOWN} — known consumers: {{known}}`,
    'unknown-consumer-none-known': `${UNKNOWN}, which declares none — add the integration, provider or runner that reads the secret`,
  },
  check(ctx) {
    const registry = registrySecrets(ctx);
    if (!registry) return [];
    const ids = consumerIds(ctx);
    const known = [...ids].sort();
    const out: PolicyFinding[] = [];
    for (const [name, entry] of registry) {
      const base = `/secrets/${escapeSegment(name)}`;
      const consumers = Array.isArray(entry.consumers) ? entry.consumers : [];
      const parked = typeof entry.not_yet_consumed === 'string';
      if (consumers.length === 0 && !parked) {
        out.push({
          file: REGISTRY_FILE,
          pointer: entry.consumers === undefined ? base : `${base}/consumers`,
          at: entry.consumers === undefined ? 'key' : 'value',
          key: `${name}:unconsumed`,
          messageId: 'unconsumed',
          data: { secret: name },
        });
      }
      if (consumers.length > 0 && parked) {
        out.push({
          file: REGISTRY_FILE,
          pointer: `${base}/not_yet_consumed`,
          at: 'key',
          key: `${name}:both`,
          messageId: 'consumed-and-parked',
          data: { secret: name, consumers: consumers.join(', ') },
        });
      }
      consumers.forEach((c, i) => {
        if (typeof c !== 'string' || ids.has(c)) return;
        out.push({
          file: REGISTRY_FILE,
          pointer: `${base}/consumers/${i}`,
          key: `${name}:consumer:${c}`,
          ...insteadOf('unknown-consumer', c, known, { consumer: c, secret: name }),
        });
      });
    }
    return out;
  },
});
