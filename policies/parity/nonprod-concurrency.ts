import type { PolicyFinding } from '../../gates/core/finding.ts';
import { headings, sectionLines } from '../../gates/core/markdown.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { asRecord, ENV_DIR, environments, MISSING_FILE, NONPROD_ENVS, PLATFORM_FILE, platformLimit } from '../_lib/ssot.ts';

const ID = 'parity/nonprod-concurrency';
const STAGING_RUNBOOK = 'docs/ops/runbooks/staging-branches.md';
/** The runbook section that documents single-worker semantics; it must name both settings. */
const CONCURRENCY_SECTION = 'Concurrency';

/**
 * Odoo.sh staging and development builds run a single worker. Stage and dev model that: odoo.workers
 * and max_cron_threads within the non-production limits of ssot/platform.yaml, and the
 * staging-branches runbook says so, so nobody tunes a staging build for load it will never get.
 * That both settings and both limits are present whole numbers is the schemas' to say.
 */
export default definePolicy({
  id: ID,
  title: 'Stage and dev run single-worker semantics, and the runbook documents it',
  severity: 'error',
  appliesTo: [`${ENV_DIR}/**`, PLATFORM_FILE, STAGING_RUNBOOK],
  messages: {
    'missing-file': MISSING_FILE,
    'too-many-workers':
      'odoo.workers is {{value}} in {{env}}; Odoo.sh runs staging and development builds with a single worker — set at most {{max}} (limits.workers_max_nonprod)',
    'too-many-cron-threads':
      'odoo.max_cron_threads is {{value}} in {{env}}; non-production builds run bounded cron threads — set at most {{max}} (limits.cron_threads_max_nonprod)',
    'runbook-missing': '{{runbook}} is missing; it must document single-worker semantics in a "## {{section}}" section',
    'section-missing': 'no "## {{section}}" section; document that stage and dev run one worker and bounded cron threads (workers, max_cron_threads)',
    'section-incomplete': 'the "{{heading}}" section does not name {{missing}}; say what stage and dev run with and why',
  },
  check(ctx) {
    const out: PolicyFinding[] = [];
    const workersMax = platformLimit(ctx, 'workers_max_nonprod', ID, 'the non-production worker limits');
    const cronMax = platformLimit(ctx, 'cron_threads_max_nonprod', ID, 'the non-production worker limits');
    if (!workersMax.ok && workersMax.finding) out.push(workersMax.finding);
    const envs = environments(ctx, NONPROD_ENVS, ID, 'the worker settings');
    out.push(...envs.findings);
    // Each odoo setting against its limit: the setting, its limit, the message and the fingerprint key.
    const bounds = [
      { setting: 'workers', limit: workersMax, messageId: 'too-many-workers', key: 'workers' },
      { setting: 'max_cron_threads', limit: cronMax, messageId: 'too-many-cron-threads', key: 'cron-threads' },
    ] as const;
    for (const env of envs.envs) {
      const odoo = asRecord(env.data.odoo);
      for (const b of bounds) {
        const value = odoo[b.setting];
        if (!b.limit.ok || typeof value !== 'number' || value <= b.limit.value) continue;
        out.push({ file: env.file, pointer: `/odoo/${b.setting}`, messageId: b.messageId, data: { value, env: env.name, max: b.limit.value }, key: b.key });
      }
    }
    out.push(...runbookFindings(ctx.text(STAGING_RUNBOOK), ctx.exists(STAGING_RUNBOOK)));
    // A limit that cannot be read leaves the settings unchecked: say so rather than pass.
    const unread = [workersMax, cronMax].find((l) => !l.ok && !l.finding);
    if (out.length === 0 && unread && !unread.ok) return skip(`${unread.reason}, so the worker settings of stage and dev cannot be checked`);
    return out;
  },
});

function runbookFindings(text: string | undefined, exists: boolean): PolicyFinding[] {
  if (!exists) {
    return [
      {
        file: STAGING_RUNBOOK,
        line: 1,
        messageId: 'runbook-missing',
        data: { runbook: STAGING_RUNBOOK, section: CONCURRENCY_SECTION },
        key: 'runbook-missing',
      },
    ];
  }
  if (text === undefined) return [];
  const h = headings(text).find((x) => x.level === 2 && x.text.toLowerCase().startsWith(CONCURRENCY_SECTION.toLowerCase()));
  if (!h) return [{ file: STAGING_RUNBOOK, line: 1, messageId: 'section-missing', data: { section: CONCURRENCY_SECTION }, key: 'section-missing' }];
  const body = sectionLines(text, h)
    .map((l) => l.text)
    .join('\n');
  const missing = ['workers', 'max_cron_threads'].filter((w) => !new RegExp(`\\b${w}\\b`).test(body));
  return missing.length
    ? [
        {
          file: STAGING_RUNBOOK,
          line: h.line,
          messageId: 'section-incomplete',
          data: { heading: h.text, missing: missing.map((m) => `\`${m}\``).join(' and ') },
          key: 'section-incomplete',
        },
      ]
    : [];
}
