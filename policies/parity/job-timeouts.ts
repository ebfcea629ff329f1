import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { JOBS_FILE, PLATFORM_FILE, isRecord, limit, missingFile, platformLimits, readMap, show } from '../_lib/ssot.ts';

const ID = 'parity/job-timeouts';

/**
 * Odoo.sh kills a scheduled action at its time limit and disables it after repeated timeouts,
 * notifying the admins. Every job of ssot/jobs.yaml declares both halves of that rule.
 */
export default definePolicy({
  id: ID,
  title: 'Every scheduled job declares a bounded timeout and an auto-disable rule',
  severity: 'error',
  appliesTo: [JOBS_FILE, PLATFORM_FILE],
  check(ctx) {
    const out: PolicyFinding[] = [];
    const { limits, findings } = platformLimits(ctx, ID, 'the job timeout maximum');
    out.push(...findings);
    const max = limits ? limit(limits, 'job_timeout_max_seconds', 'a scheduled job timeout') : {};
    if (max.finding) out.push(max.finding);
    if (!ctx.exists(JOBS_FILE)) return [...out, missingFile(JOBS_FILE, ID, 'the scheduled jobs')];
    const data = readMap(ctx, JOBS_FILE);
    if (!data || !Array.isArray(data.jobs)) return out;
    data.jobs.forEach((job: unknown, i: number) => {
      if (!isRecord(job)) return;
      const at = `/jobs/${i}`;
      const name = typeof job.id === 'string' ? job.id : `#${i}`;
      const where = typeof job.id === 'string' ? `${at}/id` : at;
      const timeout = job.timeout_seconds;
      const rule = job.auto_disable;
      const bound = max.value === undefined ? 'the platform maximum' : `${max.value}`;
      if (timeout === undefined && rule === undefined) {
        out.push({
          file: JOBS_FILE,
          pointer: where,
          message: `job ${name} declares neither timeout_seconds nor auto_disable; Odoo.sh kills a job at its time limit and disables it after repeated timeouts — add timeout_seconds (at most ${bound}) and auto_disable: {after_consecutive_timeouts: N, notify: [...]}`,
          key: `${name}:neither`,
        });
        return;
      }
      if (timeout === undefined) {
        out.push({ file: JOBS_FILE, pointer: where, message: `job ${name} declares no timeout_seconds; add one of at most ${bound} seconds`, key: `${name}:no-timeout` });
      } else if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0) {
        out.push({ file: JOBS_FILE, pointer: `${at}/timeout_seconds`, message: `job ${name}: timeout_seconds must be a positive whole number of seconds, got ${show(timeout)}`, key: `${name}:bad-timeout` });
      } else if (max.value !== undefined && timeout > max.value) {
        out.push({
          file: JOBS_FILE,
          pointer: `${at}/timeout_seconds`,
          message: `job ${name}: timeout_seconds ${timeout} exceeds limits.job_timeout_max_seconds (${max.value}) in ${PLATFORM_FILE}; lower it, or split the job into smaller batches`,
          key: `${name}:over-max`,
        });
      }
      if (rule === undefined) {
        out.push({
          file: JOBS_FILE,
          pointer: where,
          message: `job ${name} declares no auto_disable rule; add auto_disable: {after_consecutive_timeouts: N, notify: [...]} as Odoo.sh disables jobs that time out repeatedly`,
          key: `${name}:no-rule`,
        });
        return;
      }
      const after = isRecord(rule) ? rule.after_consecutive_timeouts : undefined;
      if (typeof after !== 'number' || !Number.isInteger(after) || after < 1) {
        out.push({
          file: JOBS_FILE,
          pointer: `${at}/auto_disable/after_consecutive_timeouts`,
          message: `job ${name}: auto_disable needs after_consecutive_timeouts, a whole number of at least 1, got ${show(after)}`,
          key: `${name}:bad-after`,
        });
      }
      const notify = isRecord(rule) ? rule.notify : undefined;
      if (!Array.isArray(notify) || notify.length === 0) {
        out.push({
          file: JOBS_FILE,
          pointer: `${at}/auto_disable/notify`,
          message: `job ${name}: auto_disable names nobody to notify; list who learns that the job was disabled in auto_disable.notify`,
          key: `${name}:no-notify`,
        });
      }
    });
    return out;
  },
});
