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
  messages: { 'missing-file': MISSING_FILE },
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
        message: `smtp.host is ${show(smtp.host)}, but region ${region} relays through ${MAILGUN_SMTP_HOSTS[region]}; set smtp.host: ${MAILGUN_SMTP_HOSTS[region]}`,
        key: 'smtp-host',
      });
    }
    if (region && mg.api_base !== undefined && mg.api_base !== MAILGUN_API_BASES[region]) {
      out.push({
        file: MAILGUN_FILE,
        pointer: '/api_base',
        message: `api_base is ${show(mg.api_base)}, but region ${region} is served by ${MAILGUN_API_BASES[region]}; set api_base: ${MAILGUN_API_BASES[region]}`,
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
          message: `SMTP_HOST is ${show(m.SMTP_HOST)} in ${env.name}, but ${MAILGUN_FILE} relays through ${relayHost}${region ? ` (region ${region})` : ''}; use ${relayHost}`,
          key: 'env-host',
        });
      }
      const port = m.SMTP_PORT;
      if (typeof port === 'number' && port !== 25 && ports.length > 0 && !ports.includes(port)) {
        out.push({
          file: env.file,
          pointer: '/mail/SMTP_PORT',
          message: `SMTP_PORT ${port} in ${env.name} is not one of the Mailgun ports in ${MAILGUN_FILE} (${ports.join(', ')}); use one of them, or add the port there`,
          key: 'env-port',
        });
      }
      if (typeof secret === 'string' && m.SMTP_USER_SECRET !== secret) {
        out.push({
          file: env.file,
          pointer: '/mail/SMTP_USER_SECRET',
          message: `SMTP_USER_SECRET is ${m.SMTP_USER_SECRET === undefined ? 'not set' : show(m.SMTP_USER_SECRET)} in ${env.name}, but Mailgun's SMTP password is the secret ${secret} (smtp.password_secret in ${MAILGUN_FILE}); set SMTP_USER_SECRET: ${secret}`,
          key: 'env-secret',
        });
      }
      const catcher = asRecord(m.catcher);
      if (typeof table === 'string' && catcher.table !== undefined && catcher.table !== table) {
        out.push({
          file: env.file,
          pointer: '/mail/catcher/table',
          message: `mail.catcher.table is ${show(catcher.table)} in ${env.name}, but Mailgun events land in ${table} (evidence.table in ${MAILGUN_FILE}); set table: ${table}`,
          key: 'env-table',
        });
      }
    }
    return out;
  },
});
