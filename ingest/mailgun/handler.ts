import { createHmac, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { Redactor } from '../lib/redact.ts';
import { MailStore, type MailRow } from './store.ts';
import { ENVIRONMENTS, type EnvName, type MailgunConfig } from './config.ts';
import { isRecord } from '../../gates/core/data.ts';

export interface MailgunDeps {
  pool: pg.Pool;
  clock: Clock;
  log: Logger;
  redactor: Redactor;
  /** Statements in flight and deliveries per statement (group commit). */
  store?: { concurrency: number; maxBatch: number };
}

type Reason = 'forged' | 'stale' | 'replayed' | 'malformed';

/** Every answer is JSON with `ok`; never an empty body, a 204 or an HTML page. */
function json(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}
/** 406: Mailgun does not retry it (C-MAIL-01). */
const reject = (reason: Reason, message: string): Response => json(406, { ok: false, reason, message });

/** The hex HMAC-SHA256 of timestamp + token with the signing key: what Mailgun signs. */
export function mailgunSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey)
    .update(timestamp + token)
    .digest('hex');
}

export function verifySignature(signingKey: string, timestamp: string, token: string, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(mailgunSignature(signingKey, timestamp, token), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** The body, or undefined past the cap (read no further than the cap, whatever Content-Length says). */
async function readCapped(req: Request, cap: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > cap) {
    await req.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!req.body) return new Uint8Array();
  const reader: ReadableStreamDefaultReader<Uint8Array> = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The row of ops.mail_events, its environment one the SSOT names. */
type MailEventRow = MailRow & { env: EnvName };

const optText = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** event-data → the row of ops.mail_events, or what is wrong with it. */
export function normalizeEvent(ev: Record<string, unknown>, rule: MailgunConfig['envRule']): MailEventRow | string {
  if (typeof ev.id !== 'string' || ev.id === '') return '`event-data.id` is missing';
  if (typeof ev.timestamp !== 'number' || !Number.isFinite(ev.timestamp) || ev.timestamp <= 0) return '`event-data.timestamp` is not a Unix time';
  if (typeof ev.recipient !== 'string' || ev.recipient === '') return '`event-data.recipient` is missing';
  const message = isRecord(ev.message) ? ev.message : {};
  const headers = isRecord(message.headers) ? message.headers : {};
  const messageId = headers['message-id'];
  if (typeof messageId !== 'string' || messageId === '') return '`event-data.message.headers.message-id` is missing';
  const vars = isRecord(ev['user-variables']) ? ev['user-variables'] : {};
  const named = vars[rule.userVariable];
  let env: EnvName = rule.default;
  if (named !== undefined && named !== null && named !== '') {
    if (!ENVIRONMENTS.includes(named as EnvName)) {
      return `\`event-data.user-variables.${rule.userVariable}\` is ${JSON.stringify(named)}; it must be one of ${ENVIRONMENTS.join(', ')}`;
    }
    env = named as EnvName;
  }
  const envelope = isRecord(ev.envelope) ? ev.envelope : {};
  return {
    env,
    message_id: messageId,
    subject: optText(headers.subject),
    sender: optText(headers.from) ?? optText(envelope.sender),
    recipient: ev.recipient,
    transport: optText(vars.transport) ?? optText(envelope.transport),
    stamp: ev.timestamp,
  };
}

/**
 * The `ops-mailgun-ingest` webhook as a Web-standard handler: the same function an Edge Function
 * serves. Verifies the signature (constant time), the timestamp window and the token (kept in
 * Postgres), then stores the event once by its id.
 */
export function mailgunHandler(config: MailgunConfig, deps: MailgunDeps): (req: Request) => Promise<Response> {
  const { pool, clock, log, redactor } = deps;
  const store = new MailStore(pool, deps.store ?? { concurrency: 4, maxBatch: 64 });
  let lastPrune = 0;
  const prune = (): void => {
    const now = clock.now();
    if (now - lastPrune < 60_000) return;
    lastPrune = now;
    pool
      .query('delete from ops.mail_webhook_tokens where signed_at < to_timestamp($1)', [now / 1000 - 2 * config.maxAgeSeconds])
      .catch((e: unknown) => log.warn('pruning old webhook tokens failed', { error: redactor.error(e) }));
  };

  return async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    if (!config.paths.includes(url.pathname)) {
      return json(404, {
        ok: false,
        reason: 'not_found',
        message: `no such path ${url.pathname}; Mailgun posts to ${config.paths[0] ?? 'no configured path'}`,
      });
    }
    if (req.method !== 'POST') {
      return json(405, { ok: false, reason: 'method_not_allowed', message: `${req.method} is not allowed; Mailgun posts events with POST` }, { allow: 'POST' });
    }
    const bytes = await readCapped(req, config.maxBodyBytes);
    if (!bytes) return json(413, { ok: false, reason: 'too_large', message: `the body is over ${config.maxBodyBytes} bytes; a Mailgun event is far smaller` });
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch {
      return reject('malformed', 'the body is not JSON; Mailgun webhooks post {"signature": …, "event-data": …} as application/json');
    }
    if (!isRecord(body) || !isRecord(body.signature) || !isRecord(body['event-data'])) {
      return reject('malformed', 'the body needs the objects `signature` and `event-data`');
    }
    const sig = body.signature;
    const timestamp = typeof sig.timestamp === 'number' ? String(sig.timestamp) : sig.timestamp;
    const { token, signature } = sig;
    if (
      typeof timestamp !== 'string' ||
      !/^\d{1,12}$/.test(timestamp) ||
      typeof token !== 'string' ||
      token === '' ||
      token.length > 200 ||
      typeof signature !== 'string'
    ) {
      return reject('malformed', '`signature` needs `timestamp` (Unix seconds), `token` and `signature` as strings');
    }
    if (!verifySignature(config.signingKey, timestamp, token, signature)) {
      log.warn('forged webhook rejected', { token });
      return reject('forged', 'the signature does not match the HMAC-SHA256 of timestamp + token with the signing key');
    }
    const age = clock.now() / 1000 - Number(timestamp);
    if (Math.abs(age) > config.maxAgeSeconds) {
      log.warn('stale webhook rejected', { token, age_seconds: Math.round(age) });
      return reject(
        'stale',
        `the signature timestamp is ${Math.round(Math.abs(age))} s ${age > 0 ? 'old' : 'in the future'}; the window is ${config.maxAgeSeconds} s`,
      );
    }
    const row = normalizeEvent(body['event-data'], config.envRule);
    if (typeof row === 'string') return reject('malformed', row);

    const eventId = (body['event-data'] as { id: string }).id;
    const outcome = await store.record({ token, signedAt: Number(timestamp), eventId, ...row, raw: JSON.stringify(body) });
    if (outcome.kind === 'unavailable') {
      log.error('database unavailable; answering 503 so that Mailgun retries', { event_id: eventId, error: redactor.error(outcome.error) });
      return json(503, { ok: false, reason: 'unavailable', message: 'the database is unavailable; retry later' }, { 'retry-after': '60' });
    }
    if (outcome.kind === 'unstorable') {
      log.error('event refused by the database', { event_id: eventId, error: redactor.error(outcome.error) });
      return reject('malformed', `the event cannot be stored: ${redactor.error(outcome.error)}`);
    }
    if (outcome.kind === 'replayed') {
      log.warn('replayed webhook rejected', { token });
      return reject('replayed', 'this signature token was already used');
    }
    prune();
    if (outcome.kind === 'duplicate') {
      log.info('duplicate event', { event_id: eventId });
      return json(200, { ok: true, result: 'duplicate' });
    }
    log.info('event stored', { event_id: eventId, env: row.env });
    return json(200, { ok: true, result: 'stored' });
  };
}
