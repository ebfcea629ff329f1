import type { SsotReader } from '../lib/config.ts';
import type { Secrets } from '../lib/secrets.ts';

export const MAILGUN_FILE = 'ssot/integrations/mailgun.yaml';
export const MAILGUN_RUNNER = 'ops-mailgun-ingest';
export const ENVIRONMENTS = ['prod', 'stage', 'dev'] as const;
export type EnvName = (typeof ENVIRONMENTS)[number];

interface MailgunSsot {
  runner: string;
  webhook: {
    endpoint: string;
    signing_key_secret: string;
    max_age_seconds: number;
    env_rule: { user_variable: string; default: EnvName };
  };
  evidence: { table: string };
}

export interface MailgunConfig {
  signingKey: string;
  /** Seconds a signature timestamp may be from now, either way. */
  maxAgeSeconds: number;
  envRule: { userVariable: string; default: EnvName };
  /** Request paths the handler answers (the Edge Function's, with and without /functions/v1). */
  paths: string[];
  maxBodyBytes: number;
}

export const MAX_BODY_BYTES = 1024 * 1024;

export function loadMailgunConfig(reader: SsotReader, secrets: Secrets): MailgunConfig {
  const m = reader.load<MailgunSsot>(MAILGUN_FILE);
  if (m.runner !== MAILGUN_RUNNER) throw new Error(`${MAILGUN_FILE}: runner is ${m.runner}, this is ${MAILGUN_RUNNER}`);
  if (m.evidence.table !== 'ops.mail_events') throw new Error(`${MAILGUN_FILE}: evidence.table is ${m.evidence.table}; this runner writes ops.mail_events`);
  const fn = new URL(m.webhook.endpoint.replace('<project>', 'project')).pathname;
  return {
    signingKey: secrets.require(m.webhook.signing_key_secret, MAILGUN_RUNNER),
    maxAgeSeconds: m.webhook.max_age_seconds,
    envRule: { userVariable: m.webhook.env_rule.user_variable, default: m.webhook.env_rule.default },
    paths: [fn, fn.replace(/^\/functions\/v1/, '')],
    maxBodyBytes: MAX_BODY_BYTES,
  };
}
