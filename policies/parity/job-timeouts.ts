import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { isRecord, JOBS_FILE, MISSING_FILE, missingFile, PLATFORM_FILE, platformLimit, readMap } from '../_lib/ssot.ts';

const ID = 'parity/job-timeouts';

/**
 * Odoo.sh kills a scheduled action at its time limit and disables it after repeated timeouts. The
 * jobs schema makes every job declare `timeout_seconds` and an `auto_disable` rule; what no
 * schema can say is the bound from another file: no timeout above the platform's
 * `limits.job_timeout_max_seconds`.
 */
export default definePolicy({
  id: ID,
  title: 'No scheduled job may run longer than the platform allows',
  severity: 'error',
  appliesTo: [JOBS_FILE, PLATFORM_FILE],
  messages: {
    'over-max':
      'job {{job}}: timeout_seconds {{timeout}} exceeds limits.job_timeout_max_seconds ({{max}}) in {{platform}}; lower it, or split the job into smaller batches',
    'missing-file': MISSING_FILE,
  },
  check(ctx) {
    const out: PolicyFinding[] = [];
    const max = platformLimit(ctx, 'job_timeout_max_seconds', ID, 'the job timeout maximum');
    if (!max.ok && max.finding) out.push(max.finding);
    if (!ctx.exists(JOBS_FILE)) out.push(missingFile(JOBS_FILE, ID, 'the scheduled jobs'));
    if (!max.ok) return out.length ? out : skip(`${max.reason}, so no job timeout can be bounded`);
    const data = readMap(ctx, JOBS_FILE);
    if (!data || !Array.isArray(data.jobs)) return out;
    (data.jobs as unknown[]).forEach((job, i) => {
      // Shape, presence and types are the schema's (schemas/ssot/jobs.schema.json); only the bound is checked here.
      if (!isRecord(job) || typeof job.timeout_seconds !== 'number' || job.timeout_seconds <= max.value) return;
      out.push({
        file: JOBS_FILE,
        pointer: `/jobs/${i}/timeout_seconds`,
        messageId: 'over-max',
        data: { job: typeof job.id === 'string' ? job.id : `#${i}`, timeout: job.timeout_seconds, max: max.value, platform: PLATFORM_FILE },
        key: `${typeof job.id === 'string' ? job.id : i}:over-max`,
      });
    });
    return out;
  },
});
