import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import {
  ENV_DIR,
  MAILGUN_API_BASES,
  MAILGUN_FILE,
  MAILGUN_SMTP_HOSTS,
  NONPROD_ENVS,
  isMailgunHost,
  isRecord,
  isRegion,
  missingFile,
  asRecord,
  presentEnvironments,
  readMap,
  show,
  MISSING_FILE,
} from '../_lib/ssot.ts';

const ID = 'mail/mailgun-agreement';

/**
 * ssot/integrations/mailgun.yaml and the environments that relay through Mailgun describe the same
 * thing twice; this keeps them equal: the host of the region, a port Mailgun offers, the one SMTP
 * credential, the catcher's table. (Port 25 and port/security pairs are parity/smtp-port's; the
 * stage and dev host is mail/catcher-nonprod's.)
 */
export default definePolicy({
  id: ID,
  title: 'The Mailgun integration file agrees with the environments',
  severity: 'error',
  messages: {
    'missing-file': MISSING_FILE,
    'smtp-host': 'smtp.host is {{host}}, but region {{region}} relays through {{want}}; set smtp.host: {{want}}',
    'api-base': 'api_base is {{apiBase}}, but region {{region}} is served by {{want}}; set api_base: {{want}}',
    'env-host': `SMTP_HOST is {{host}} in {{env}}, but ${MAILGUN_FILE} relays through {{want}} (region {{region}}); use {{want}}`,
    // The region is unreadable (the schema reports it): the relay host is the file's smtp.host.
    'env-host-no-region': `SMTP_HOST is {{host}} in {{env}}, but ${MAILGUN_FILE} relays through {{want}}; use {{want}}`,
    'env-port': `SMTP_PORT {{port}} in {{env}} is not one of the Mailgun ports in ${MAILGUN_FILE} ({{ports}}); use one of them, or add the port there`,
    'env-secret': `SMTP_USER_SECRET is {{secret}} in {{env}}, but Mailgun's SMTP password is the secret {{want}} (smtp.password_secret in ${MAILGUN_FILE}); set SMTP_USER_SECRET: {{want}}`,
    'env-secret-unset': `SMTP_USER_SECRET is not set in {{env}}, but Mailgun's SMTP password is the secret {{want}} (smtp.password_secret in ${MAILGUN_FILE}); set SMTP_USER_SECRET: {{want}}`,
    'env-table': `mail.catcher.table is {{table}} in {{env}}, but Mailgun events land in {{want}} (evidence.table in ${MAILGUN_FILE}); set table: {{want}}`,
  },
  appliesTo: [`${ENV_DIR}/**`, MAILGUN_FILE],
  check(ctx) {
    if (!ctx.exists(MAILGUN_FILE)) return [missingFile(MAILGUN_FILE, ID, 'the Mailgun settings the environments rely on')];
    const mg = readMap(ctx, MAILGUN_FILE);
    if (!mg) return [];
    const out: PolicyFinding[] = [];
    const smtp = asRecord(mg.smtp);
    const region = isRegion(mg.region) ? mg.region : undefined;
    if (region && smtp.host !== MAILGUN_SMTP_HOSTS[region]) {
      out.push({
        file: MAILGUN_FILE,
        pointer: '/smtp/host',
        messageId: 'smtp-host',
        data: { host: show(smtp.host), region, want: MAILGUN_SMTP_HOSTS[region] },
        key: 'smtp-host',
      });
    }
    if (region && mg.api_base !== undefined && mg.api_base !== MAILGUN_API_BASES[region]) {
      out.push({
        file: MAILGUN_FILE,
        pointer: '/api_base',
        messageId: 'api-base',
        data: { apiBase: show(mg.api_base), region, want: MAILGUN_API_BASES[region] },
        key: 'api-base',
      });
    }
    const ports = (Array.isArray(smtp.ports) ? (smtp.ports as unknown[]) : [])
      .map((p) => (isRecord(p) ? p.port : p))
      .filter((p): p is number => typeof p === 'number');
    // The region decides the host; smtp.host only when the region is unreadable (the schema reports that).
    const relayHost = region ? MAILGUN_SMTP_HOSTS[region] : typeof smtp.host === 'string' ? smtp.host : undefined;
    const secret = smtp.password_secret;
    const table = asRecord(mg.evidence).table;
    for (const env of presentEnvironments(ctx)) {
      const m = env.mail;
      const relays = isMailgunHost(m.SMTP_HOST) || (NONPROD_ENVS as readonly string[]).includes(env.name);
      if (!relays) continue;
      if (!(NONPROD_ENVS as readonly string[]).includes(env.name) && relayHost !== undefined && m.SMTP_HOST !== relayHost) {
        out.push({
          file: env.file,
          pointer: '/mail/SMTP_HOST',
          ...(region
            ? { messageId: 'env-host', data: { host: show(m.SMTP_HOST), env: env.name, want: relayHost, region } }
            : { messageId: 'env-host-no-region', data: { host: show(m.SMTP_HOST), env: env.name, want: relayHost } }),
          key: 'env-host',
        });
      }
      const port = m.SMTP_PORT;
      if (typeof port === 'number' && port !== 25 && ports.length > 0 && !ports.includes(port)) {
        out.push({
          file: env.file,
          pointer: '/mail/SMTP_PORT',
          messageId: 'env-port',
          data: { port, env: env.name, ports: ports.join(', ') },
          key: 'env-port',
        });
      }
      if (typeof secret === 'string' && m.SMTP_USER_SECRET !== secret) {
        out.push({
          file: env.file,
          pointer: '/mail/SMTP_USER_SECRET',
          ...(m.SMTP_USER_SECRET === undefined
            ? { messageId: 'env-secret-unset', data: { env: env.name, want: secret } }
            : { messageId: 'env-secret', data: { secret: show(m.SMTP_USER_SECRET), env: env.name, want: secret } }),
          key: 'env-secret',
        });
      }
      const catcher = asRecord(m.catcher);
      if (typeof table === 'string' && catcher.table !== undefined && catcher.table !== table) {
        out.push({
          file: env.file,
          pointer: '/mail/catcher/table',
          messageId: 'env-table',
          data: { table: show(catcher.table), env: env.name, want: table },
          key: 'env-table',
        });
      }
    }
    return out;
  },
});
