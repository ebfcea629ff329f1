import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { WAIVER_FILE } from '../../gates/core/ssot-files.ts';
import { allowsIn, inForce, loadWaivers, today } from '../../gates/core/waivers.ts';

/**
 * A waiver in force, or an inline `gates-allow`, that suppressed nothing is stale: the finding was
 * fixed or moved, and a stale waiver would hide the next one. Judged after every other policy ran,
 * and only for waivers whose policy ran over the whole repository.
 */
export default definePolicy({
  id: 'waivers/unused',
  title: 'Every waiver and inline allow suppresses a finding',
  severity: 'warning',
  appliesTo: ['**'],
  messages: {
    'unused-waiver': 'this waiver of {{policy}} matched no finding; the finding is gone — remove the waiver',
    'unused-allow': '`gates-allow {{policy}}` suppresses nothing on the next line; remove the comment',
  },
  check: () => [],
  afterRun(ctx, run) {
    if (!run.complete) return skip('which waivers matched nothing is known only from a run over every file (a full run, or `gates merge` of all shards)');
    const out: PolicyFinding[] = [];
    if (ctx.exists(WAIVER_FILE)) {
      const day = today(ctx);
      for (const w of loadWaivers(ctx)) {
        if (!inForce(w, day) || !run.ranFully.has(w.policy) || run.uses.waivers.has(w.line)) continue;
        out.push({ file: WAIVER_FILE, pointer: `/waivers/${w.index}/policy`, messageId: 'unused-waiver', data: { policy: w.policy } });
      }
    }
    for (const file of ctx.files) {
      for (const a of allowsIn(ctx, file)) {
        if (!run.ranFully.has(a.policy) || run.uses.inline.has(`${a.file}:${a.line}`)) continue;
        out.push({ file, line: a.line, messageId: 'unused-allow', data: { policy: a.policy } });
      }
    }
    return out;
  },
});
