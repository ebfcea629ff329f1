import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { suggest } from '../../gates/core/suggest.ts';
import { WAIVER_FILE } from '../../gates/core/ssot-files.ts';
import { daysBetween, loadWaivers, MAX_WAIVER_DAYS, today } from '../../gates/core/waivers.ts';

/**
 * Every waiver of ssot/waivers.yaml is in force: not past its expiry, not further than 180 days
 * ahead, and about a policy that exists. A waiver that is not in force suppresses nothing.
 */
export default definePolicy({
  id: 'waivers/expired',
  title: 'Waivers are in force: not expired, at most 180 days ahead, about a real policy',
  severity: 'error',
  appliesTo: [WAIVER_FILE],
  messages: {
    expired:
      'the waiver of {{policy}} owned by {{owner}} expired on {{expires}}; the findings it covered count again — fix them, or renew it with a new date (at most {{max}} days ahead) and a reason that still holds',
    'too-far':
      'the waiver of {{policy}} runs until {{expires}}, {{days}} days ahead; a waiver may run at most {{max}} days, so that the risk is looked at again — set an earlier date',
    'unknown-policy': 'the waiver names policy `{{policy}}`, which does not exist{{hint}}; see `gates list`',
  },
  check(ctx) {
    if (!ctx.exists(WAIVER_FILE)) return [];
    const ids = ctx.policyIds;
    const day = today(ctx);
    const out: PolicyFinding[] = [];
    for (const w of loadWaivers(ctx)) {
      const at = `/waivers/${w.index}`;
      if (!ids.includes(w.policy)) {
        out.push({ file: WAIVER_FILE, pointer: `${at}/policy`, messageId: 'unknown-policy', data: { policy: w.policy, hint: suggest(w.policy, ids) } });
      }
      const days = daysBetween(day, w.expires);
      if (Number.isNaN(days)) continue; // Not a date: ssot/schema reports it.
      if (days < 0)
        out.push({
          file: WAIVER_FILE,
          pointer: `${at}/expires`,
          messageId: 'expired',
          data: { policy: w.policy, owner: w.owner, expires: w.expires, max: MAX_WAIVER_DAYS },
        });
      else if (days > MAX_WAIVER_DAYS)
        out.push({
          file: WAIVER_FILE,
          pointer: `${at}/expires`,
          messageId: 'too-far',
          data: { policy: w.policy, expires: w.expires, days, max: MAX_WAIVER_DAYS },
        });
    }
    return out;
  },
});
