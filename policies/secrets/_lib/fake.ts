/**
 * Generated secrets in each provider's documented format, for tests and the bench: random strings
 * of the right alphabet and length, never a live key. Deterministic for a given seed.
 */

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const BASE62 = UPPER + LOWER + DIGITS;
const BASE64URL = `${BASE62}-_`;

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick(r: () => number, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

/** Random, but with at least one digit and one letter, as real keys of these alphabets have. */
function mixed(r: () => number, alphabet: string, n: number): string {
  for (;;) {
    const s = pick(r, alphabet, n);
    if (/[0-9]/.test(s) && /[a-zA-Z]/.test(s)) return s;
  }
}

function b64url(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

export function jwt(r: () => number, payload: Record<string, unknown>): string {
  return `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}.${pick(r, BASE64URL, 43)}`;
}

export interface FakeSecret {
  /** The detector id the value must be reported under. */
  id: string;
  /** The name it is assigned to in the generated files. */
  name: string;
  value: string;
  /** The part of `value` the finding spans (default: all of it), e.g. a URL's password. */
  secret?: string;
}

/** One generated secret of every kind the policy detects. */
export function fakeSecrets(r: () => number): FakeSecret[] {
  const dbPassword = mixed(r, BASE62, 24);
  const supaPassword = mixed(r, BASE62, 24);
  const redisPassword = mixed(r, BASE62, 32);
  return [
    { id: 'digitalocean-token', name: 'DIGITALOCEAN_TOKEN', value: `dop_v1_${mixed(r, HEX, 64)}` },
    { id: 'digitalocean-token', name: 'DO_OAUTH_TOKEN', value: `doo_v1_${mixed(r, HEX, 64)}` },
    { id: 'digitalocean-token', name: 'DO_REFRESH_TOKEN', value: `dor_v1_${mixed(r, HEX, 64)}` },
    { id: 'github-token', name: 'GITHUB_TOKEN', value: `ghp_${mixed(r, BASE62, 36)}` },
    { id: 'github-token', name: 'GH_OAUTH', value: `gho_${mixed(r, BASE62, 36)}` },
    { id: 'github-token', name: 'GH_USER_TO_SERVER', value: `ghu_${mixed(r, BASE62, 36)}` },
    { id: 'github-token', name: 'GH_APP_INSTALLATION', value: `ghs_${mixed(r, BASE62, 36)}` },
    { id: 'github-token', name: 'GH_REFRESH', value: `ghr_${mixed(r, BASE62, 36)}` },
    { id: 'github-fine-grained-token', name: 'GITHUB_PAT', value: `github_pat_${mixed(r, BASE62, 22)}_${mixed(r, BASE62, 59)}` },
    { id: 'mailgun-api-key', name: 'MAILGUN_API_KEY', value: `key-${mixed(r, LOWER + DIGITS, 32)}` },
    { id: 'mailgun-hex-key', name: 'MAILGUN_PRIVATE_KEY', value: `${mixed(r, HEX, 32)}-${mixed(r, HEX, 8)}-${mixed(r, HEX, 8)}` },
    { id: 'mailgun-hex-key', name: 'MAILGUN_WEBHOOK_SIGNING_KEY', value: `${mixed(r, HEX, 32)}-${mixed(r, HEX, 8)}-${mixed(r, HEX, 8)}` },
    {
      id: 'supabase-service-role-key',
      name: 'SUPABASE_SERVICE_ROLE_KEY',
      value: jwt(r, { iss: 'supabase', ref: pick(r, LOWER, 20), role: 'service_role', iat: 1700000000, exp: 2015576000 }),
    },
    { id: 'supabase-secret-key', name: 'SUPABASE_SECRET_KEY', value: `sb_secret_${mixed(r, BASE62, 22)}_${mixed(r, BASE62, 8)}` },
    {
      id: 'supabase-database-url',
      name: 'SUPABASE_DB_URL',
      value: `postgresql://postgres.${pick(r, LOWER, 20)}:${supaPassword}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres`,
      secret: supaPassword,
    },
    {
      id: 'postgres-url-password',
      name: 'ODOO_DATABASE_URL',
      value: `postgres://odoo:${dbPassword}@db-postgresql-fra1-12345-do-user-1.db.ondigitalocean.com:25060/odoo`,
      secret: dbPassword,
    },
    { id: 'url-password', name: 'REDIS_URL', value: `rediss://default:${redisPassword}@redis-12345.fra1.example.net:6380`, secret: redisPassword },
    { id: 'vercel-token', name: 'VERCEL_TOKEN', value: `vcp_${mixed(r, BASE62, 40)}` },
    { id: 'aws-access-key-id', name: 'AWS_ACCESS_KEY_ID', value: `AKIA${mixed(r, UPPER + '234567', 16)}` },
    { id: 'aws-secret-access-key', name: 'AWS_SECRET_ACCESS_KEY', value: mixed(r, `${BASE62}/+`, 40) },
    { id: 'slack-token', name: 'SLACK_BOT_TOKEN', value: `xoxb-${pick(r, DIGITS, 12)}-${pick(r, DIGITS, 13)}-${mixed(r, BASE62, 24)}` },
    {
      id: 'slack-webhook',
      name: 'SLACK_WEBHOOK_URL',
      value: `https://hooks.slack.com/services/T${mixed(r, UPPER + DIGITS, 8)}/B${mixed(r, UPPER + DIGITS, 10)}/${mixed(r, BASE62, 24)}`,
    },
    { id: 'stripe-live-key', name: 'STRIPE_SECRET_KEY', value: `sk_live_${mixed(r, BASE62, 99)}` },
    { id: 'jwt', name: 'SESSION_JWT', value: jwt(r, { sub: pick(r, HEX, 24), scope: 'console', iat: 1700000000 }) },
    { id: 'high-entropy', name: 'ODOO_ADMIN_PASSWORD', value: mixed(r, `${BASE62}!#%&*+-=?@^_~`, 28) },
  ];
}

/** The span a finding must cover for `s`: where its secret part starts in its value, and its length. */
export function secretSpan(s: FakeSecret): { offset: number; length: number } {
  const part = s.secret ?? (s.id === 'slack-webhook' ? s.value.slice(s.value.indexOf('hooks.slack.com/')) : s.value);
  return { offset: s.value.indexOf(part), length: part.length };
}

/** A PEM private key block with random key material (not a valid key). */
export function fakePem(r: () => number): string {
  const body = Array.from({ length: 6 }, () => pick(r, `${BASE62}+/`, 64)).join('\n');
  return `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
}
