import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { ENV_DIR, MAILGUN_FILE, MAILGUN_SMTP_HOSTS, NONPROD_ENVS, environments, isRecord, isRegion, readMap, show, MISSING_FILE } from '../_lib/ssot.ts';

const ID = 'mail/catcher-nonprod';

/**
 * Stage runs on a copy of production data, real customer addresses included: its mail, and dev's,
 * must reach the Mailgun catcher (recorded in ops.mail_events), never a real inbox. The host is
 * Mailgun's for the region of ssot/integrations/mailgun.yaml.
 */
export default definePolicy({
  id: ID,
  title: 'Stage and dev send mail through Mailgun into the mail catcher',
  severity: 'error',
  messages: { 'missing-file': MISSING_FILE },
  appliesTo: [`${ENV_DIR}/**`, MAILGUN_FILE],
  check(ctx) {
    const out: PolicyFinding[] = [];
    const mailgun = readMap(ctx, MAILGUN_FILE);
    // Without a readable mailgun.yaml the region defaults to us; mail/mailgun-agreement reports the file.
    const region = isRegion(mailgun?.region) ? mailgun.region : 'us';
    const host = MAILGUN_SMTP_HOSTS[region];
    const envs = environments(ctx, NONPROD_ENVS, ID, 'the mail catcher');
    out.push(...envs.findings);
    for (const env of envs.envs) {
      const actual = env.mail.SMTP_HOST;
      if (actual !== host) {
        out.push({
          file: env.file,
          pointer: '/mail/SMTP_HOST',
          message: `SMTP_HOST is ${actual === undefined ? 'not set' : show(actual)} in ${env.name}; non-production mail must go to the Mailgun catcher — set SMTP_HOST: ${host} (Mailgun region ${region} in ${MAILGUN_FILE})`,
          key: 'host',
        });
      }
      const catcher = env.mail.catcher;
      const enabled = isRecord(catcher) ? catcher.enabled : undefined;
      if (enabled !== true) {
        out.push({
          file: env.file,
          pointer: '/mail/catcher/enabled',
          message: `the mail catcher is ${isRecord(catcher) ? (enabled === undefined ? 'not enabled (no enabled key)' : `not enabled (enabled: ${show(enabled)})`) : 'not configured'} in ${env.name}; every mail of a non-production build must be caught — set mail.catcher.enabled: true`,
          key: 'catcher',
        });
      }
    }
    return out;
  },
});
