import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { ALL_ENVS, ENV_DIR, envFile, MISSING_FILE, missingFile, presentEnvironments, show } from '../_lib/ssot.ts';

const ID = 'parity/smtp-port';

/** The security each submission port speaks: 465 is implicit TLS, 587 and 2525 upgrade with STARTTLS. */
const PORT_SECURITY: Record<number, string> = { 465: 'tls', 587: 'starttls', 2525: 'starttls' };

/**
 * Odoo.sh and DigitalOcean block outbound port 25, and Odoo's smtp_port defaults to 25: every
 * environment sets SMTP_PORT to a submission port, with the security that port speaks. That both
 * keys are set (and of the right type) is the environment schema's to say; this checks the values.
 */
export default definePolicy({
  id: ID,
  title: 'SMTP_PORT is never 25 and matches SMTP_SECURITY, in every environment',
  severity: 'error',
  appliesTo: [`${ENV_DIR}/**`],
  messages: {
    'port-25': 'SMTP_PORT is 25 in {{env}}; Odoo.sh and DigitalOcean block port 25 — use 587 (STARTTLS) or 465 (TLS)',
    'missing-file': MISSING_FILE,
    'security-mismatch': 'SMTP_SECURITY is {{security}} in {{env}}, but port {{port}} speaks {{wants}}; use {{fix}}',
  },
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const name of ALL_ENVS) if (!ctx.exists(envFile(name))) out.push(missingFile(envFile(name), ID, `the SMTP port of ${name}`));
    for (const env of presentEnvironments(ctx)) {
      const port = env.mail.SMTP_PORT;
      const security = env.mail.SMTP_SECURITY;
      if (port === 25) {
        out.push({
          file: env.file,
          pointer: '/mail/SMTP_PORT',
          messageId: 'port-25',
          data: { env: env.name },
          key: 'port-25',
        });
        continue;
      }
      const wants = typeof port === 'number' ? PORT_SECURITY[port] : undefined;
      if (!wants) continue;
      // An unset or unknown SMTP_SECURITY is the environment schema's to report.
      if ((security === 'tls' || security === 'starttls') && security !== wants) {
        out.push({
          file: env.file,
          pointer: '/mail/SMTP_SECURITY',
          messageId: 'security-mismatch',
          data: {
            env: env.name,
            security: show(security),
            port,
            wants,
            fix: wants === 'tls' ? 'SMTP_SECURITY: tls with 465, or port 587 with starttls' : 'SMTP_SECURITY: starttls with 587 or 2525, or port 465 with tls',
          },
          key: 'security-mismatch',
        });
      }
    }
    return out;
  },
});
