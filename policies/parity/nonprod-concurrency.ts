import type { PolicyFinding } from '../../gates/core/finding.ts';
import { headings, sectionLines } from '../../gates/core/markdown.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { ENV_DIR, NONPROD_ENVS, PLATFORM_FILE, environments, limit, asRecord, platformLimits, show } from '../_lib/ssot.ts';

const ID = 'parity/nonprod-concurrency';
const STAGING_RUNBOOK = 'docs/ops/runbooks/staging-branches.md';
/** The runbook section that documents single-worker semantics; it must name both settings. */
const CONCURRENCY_SECTION = 'Concurrency';

/**
 * Odoo.sh staging and development builds run a single worker. Stage and dev model that: odoo.workers
 * and max_cron_threads within the non-production limits of ssot/platform.yaml, and the
 * staging-branches runbook says so, so nobody tunes a staging build for load it will never get.
 */
export default definePolicy({
  id: ID,
  title: 'Stage and dev run single-worker semantics, and the runbook documents it',
  severity: 'error',
  appliesTo: [`${ENV_DIR}/**`, PLATFORM_FILE, STAGING_RUNBOOK],
  check(ctx) {
    const out: PolicyFinding[] = [];
    const { limits, findings } = platformLimits(ctx, ID, 'the non-production worker limits');
    out.push(...findings);
    const workersMax = limits ? limit(limits, 'workers_max_nonprod', 'non-production odoo.workers') : {};
    const cronMax = limits ? limit(limits, 'cron_threads_max_nonprod', 'non-production odoo.max_cron_threads') : {};
    for (const f of [workersMax.finding, cronMax.finding]) if (f) out.push(f);
    const envs = environments(ctx, NONPROD_ENVS, ID, 'the worker settings');
    out.push(...envs.findings);
    for (const env of envs.envs) {
      const odoo = asRecord(env.data.odoo);
      const workers = odoo.workers;
      if (workersMax.value !== undefined && workers !== undefined && !(typeof workers === 'number' && workers <= workersMax.value)) {
        out.push({
          file: env.file,
          pointer: '/odoo/workers',
          message: `odoo.workers is ${show(workers)} in ${env.name}; Odoo.sh runs staging and development builds with a single worker — set at most ${workersMax.value} (limits.workers_max_nonprod)`,
          key: 'workers',
        });
      }
      const cron = odoo.max_cron_threads;
      if (cronMax.value === undefined) continue;
      if (cron === undefined) {
        out.push({
          file: env.file,
          pointer: '/odoo/max_cron_threads',
          message: `odoo.max_cron_threads is not set in ${env.name}, and Odoo defaults it to 2; set at most ${cronMax.value} (limits.cron_threads_max_nonprod)`,
          key: 'cron-threads',
        });
      } else if (!(typeof cron === 'number' && cron <= cronMax.value)) {
        out.push({
          file: env.file,
          pointer: '/odoo/max_cron_threads',
          message: `odoo.max_cron_threads is ${show(cron)} in ${env.name}; non-production builds run bounded cron threads — set at most ${cronMax.value} (limits.cron_threads_max_nonprod)`,
          key: 'cron-threads',
        });
      }
    }
    out.push(...runbookFindings(ctx.text(STAGING_RUNBOOK), ctx.exists(STAGING_RUNBOOK)));
    return out;
  },
});

function runbookFindings(text: string | undefined, exists: boolean): PolicyFinding[] {
  if (!exists) {
    return [{ file: STAGING_RUNBOOK, line: 1, message: `${STAGING_RUNBOOK} is missing; it must document single-worker semantics in a "## ${CONCURRENCY_SECTION}" section`, key: 'runbook-missing' }];
  }
  if (text === undefined) return [];
  const h = headings(text).find((x) => x.level === 2 && x.text.toLowerCase().startsWith(CONCURRENCY_SECTION.toLowerCase()));
  if (!h) {
    return [{ file: STAGING_RUNBOOK, line: 1, message: `no "## ${CONCURRENCY_SECTION}" section; document that stage and dev run one worker and bounded cron threads (workers, max_cron_threads)`, key: 'section-missing' }];
  }
  const body = sectionLines(text, h).map((l) => l.text).join('\n');
  const missing = ['workers', 'max_cron_threads'].filter((w) => !new RegExp(`\\b${w}\\b`).test(body));
  return missing.length
    ? [{ file: STAGING_RUNBOOK, line: h.line, message: `the "${h.text}" section does not name ${missing.map((m) => `\`${m}\``).join(' and ')}; say what stage and dev run with and why`, key: 'section-incomplete' }]
    : [];
}
