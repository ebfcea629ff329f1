import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { ENV_DIR, environments, isRecord, isRegion, MAILGUN_FILE, MAILGUN_SMTP_HOSTS, MISSING_FILE, NONPROD_ENVS, readMap } from '../_lib/ssot.ts';

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
  messages: {
    'missing-file': MISSING_FILE,
    'wrong-host':
      'SMTP_HOST is "{{host}}" in {{env}}; non-production mail must go to the Mailgun catcher — set SMTP_HOST: {{want}} (Mailgun region {{region}} in {{mailgun}})',
    'catcher-disabled': 'the mail catcher is disabled in {{env}}; every mail of a non-production build must be caught — set mail.catcher.enabled: true',
  },
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
      // That SMTP_HOST and mail.catcher.enabled are set, and of their types, is the environment schema's to say.
      const actual = env.mail.SMTP_HOST;
      if (typeof actual === 'string' && actual !== host) {
        out.push({
          file: env.file,
          pointer: '/mail/SMTP_HOST',
          messageId: 'wrong-host',
          data: { env: env.name, host: actual, want: host, region, mailgun: MAILGUN_FILE },
          key: 'host',
        });
      }
      if (isRecord(env.mail.catcher) && env.mail.catcher.enabled === false) {
        out.push({ file: env.file, pointer: '/mail/catcher/enabled', messageId: 'catcher-disabled', data: { env: env.name }, key: 'catcher' });
      }
    }
    return out;
  },
});
