import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../ingest/lib/clock.ts';
import { ConfigError, SsotReader } from '../ingest/lib/config.ts';
import { backoffDelay, HttpClient, HttpError, parseRateLimitReset, parseRetryAfter } from '../ingest/lib/http.ts';
import { memoryLogger } from '../ingest/lib/log.ts';
import { Redactor } from '../ingest/lib/redact.ts';
import { Secrets } from '../ingest/lib/secrets.ts';
import { useTrees } from './helpers/tree.ts';
import { listen, sendJson, type TestServer } from './helpers/ingest.ts';

const writeTree = useTrees();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const policy = { maxRetries: 5, retryOn: [429, 500, 502, 503, 504], baseDelayMs: 1000, maxDelayMs: 60_000 };

function client(clock: FakeClock, extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({ service: 'Test', fetch, clock, retry: policy, deadline: clock.now() + 600_000, timeoutMs: 5_000, random: () => 0.5, ...extra });
}

describe('HttpClient', () => {
  it('honours Retry-After, then ratelimit-reset, then backs off with a cap', async () => {
    let n = 0;
    const clock = new FakeClock();
    const s = await listen((_req, res) => {
      n++;
      if (n === 1) return sendJson(res, 429, { id: 'too_many_requests' }, { 'retry-after': '7' });
      if (n === 2) return sendJson(res, 429, {}, { 'ratelimit-reset': String(Math.floor(clock.now() / 1000) + 30), 'ratelimit-remaining': '0' });
      if (n === 3) return sendJson(res, 503, {});
      return sendJson(res, 200, { ok: true });
    });
    servers.push(s);
    const retries: unknown[] = [];
    const c = client(clock, { onRetry: (i) => void retries.push([i.status, i.waitMs, i.basis]) });
    const r = await c.get(`${s.url}/x`);
    expect(r.status).toBe(200);
    expect(r.attempts).toBe(4);
    expect(retries).toEqual([
      [429, 7000, 'retry-after'],
      [429, 30_000, 'ratelimit-reset'],
      [503, 3000, 'backoff'],
    ]);
    expect(clock.sleeps).toEqual([7000, 30_000, 3000]);
  });

  it('caps the exponential backoff and keeps half of each step fixed', () => {
    expect(backoffDelay(1, policy, 0)).toBe(500);
    expect(backoffDelay(1, policy, 0.999999)).toBe(1000);
    expect(backoffDelay(4, policy, 1)).toBe(8000);
    expect(backoffDelay(12, policy, 1)).toBe(60_000);
    expect(backoffDelay(12, policy, 0)).toBe(30_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:00:10 GMT', Date.UTC(2026, 10, 29, 12, 0, 0))).toBe(10_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRateLimitReset('1000', 990_000)).toBe(10_000);
  });

  it('makes exactly 1 + maxRetries attempts, then fails naming the last error', async () => {
    let n = 0;
    const s = await listen((_req, res) => {
      n++;
      sendJson(res, 500, { message: 'boom' });
    });
    servers.push(s);
    const clock = new FakeClock();
    const err = await client(clock)
      .get(`${s.url}/x`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).message).toMatch(/failed after 6 attempts \(1 \+ 5 retries\); the last: HTTP 500/);
    expect(n).toBe(6);
    expect(clock.sleeps).toHaveLength(5);
  });

  it('retries a dropped connection and a timeout', async () => {
    let n = 0;
    const s = await listen((req, res) => {
      n++;
      if (n === 1) return req.socket.destroy();
      if (n === 2) return; // never answers: the attempt times out
      sendJson(res, 200, { ok: true });
    });
    servers.push(s);
    const errors: string[] = [];
    const c = client(new FakeClock(), { timeoutMs: 300, onRetry: (i) => void errors.push(i.error ?? '') });
    const r = await c.get(`${s.url}/x`);
    expect(r.attempts).toBe(3);
    expect(errors[0]).toMatch(/connection failed/);
    expect(errors[1]).toMatch(/timeout/);
  });

  it('does not wait past the run deadline', async () => {
    const s = await listen((_req, res) => sendJson(res, 429, {}, { 'retry-after': '3600' }));
    servers.push(s);
    const clock = new FakeClock();
    const err = await client(clock, { deadline: clock.now() + 120_000 })
      .get(`${s.url}/x`)
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/would wait 3600 s \(retry-after\), past the run deadline in 120 s/);
    expect(clock.sleeps).toEqual([]);
  });

  it('fails a 401 at once with what to do, the token redacted', async () => {
    const token = 'dop_v1_secret_token_value_123';
    let n = 0;
    const s = await listen((_req, res) => {
      n++;
      sendJson(res, 401, { id: 'unauthorized', message: `Unable to authenticate you (${token})` });
    });
    servers.push(s);
    const redactor = new Redactor();
    redactor.add('digitalocean_token', token);
    const err = (await client(new FakeClock(), { redactor, hints: { 401: 'the token is invalid or lacks read scope' } })
      .get(`${s.url}/x?t=${token}`)
      .catch((e: unknown) => e)) as HttpError;
    expect(n).toBe(1);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/answered 401 .*: the token is invalid or lacks read scope/);
    expect(err.message).not.toContain(token);
    expect(err.message).toContain('[redacted:digitalocean_token]');
  });
});

describe('redaction and logs', () => {
  it('writes one JSON object per line with every secret redacted, raw, URL-encoded or JSON-escaped', () => {
    const r = new Redactor();
    r.add('mailgun_signing_key', 'key-"with/odd chars');
    r.add('short', 'abc'); // too short to be a credential: not registered
    const log = memoryLogger(r);
    log.error('failed with key-"with/odd chars', { url: `https://x/?k=${encodeURIComponent('key-"with/odd chars')}`, nested: ['key-"with/odd chars'] });
    expect(JSON.stringify(log.records)).not.toContain('odd chars');
    expect(log.records[0]?.msg).toBe('failed with [redacted:mailgun_signing_key]');
    expect(r.size).toBe(1);
  });
});

describe('SSOT config and secrets', () => {
  it('reads the repository SSOT through the gates and looks secrets up by registry name', () => {
    const reader = new SsotReader();
    const redactor = new Redactor();
    const secrets = Secrets.load(reader, { DIGITALOCEAN_TOKEN: 'dop_v1_abcdefgh' }, redactor);
    expect(secrets.require('digitalocean_token', 'ops-do-ingest')).toBe('dop_v1_abcdefgh');
    expect(redactor.text('x dop_v1_abcdefgh')).toBe('x [redacted:digitalocean_token]');
    expect(() => secrets.require('github_token')).toThrow(/export GITHUB_TOKEN/);
    expect(() => secrets.find('no_such_secret')).toThrow(/not in ssot\/secrets\/registry.yaml/);
    expect(() => secrets.find('mailgun_signing_key', 'ops-do-ingest')).toThrow(/does not list it among the consumers/);
  });

  it('refuses an SSOT file that fails its schema, naming line and column', () => {
    const root = writeTree({
      'schemas/map.yaml': '- files: ssot/x.yaml\n  schema: schemas/x.schema.json\n',
      'schemas/x.schema.json': JSON.stringify({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: 'https://example.test/x.schema.json',
        type: 'object',
        properties: { n: { type: 'integer' } },
        required: ['n'],
      }),
      'ssot/x.yaml': 'n: many\n',
      'ssot/y.yaml': 'a: 1\na: 2\n',
    });
    const reader = new SsotReader(root);
    expect(() => reader.load('ssot/x.yaml')).toThrow(ConfigError);
    expect(() => reader.load('ssot/x.yaml')).toThrow(/ssot\/x.yaml:1:4 `n` must be an integer, got the string "many"/);
    expect(() => reader.load('ssot/y.yaml')).toThrow(/ssot\/y.yaml:2:1 duplicate key `a`/);
  });
});
