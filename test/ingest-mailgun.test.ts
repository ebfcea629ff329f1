import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsServer } from './helpers/pg.ts';
import { loadMailgunConfig, type MailgunConfig } from '../ingest/mailgun/config.ts';
import { mailgunHandler, mailgunSignature } from '../ingest/mailgun/handler.ts';
import { MailStore, type Delivery } from '../ingest/mailgun/store.ts';
import { FakeClock } from '../ingest/lib/clock.ts';
import { SsotReader } from '../ingest/lib/config.ts';
import { memoryLogger } from '../ingest/lib/log.ts';
import { Redactor } from '../ingest/lib/redact.ts';
import { Secrets } from '../ingest/lib/secrets.ts';
import { serveHandler } from '../ingest/lib/serve.ts';
import { migratedDb, type TestDb } from './helpers/ingest.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';

// A signing key of Mailgun's shape, made up per run: a literal one would be a secret in the repository.
const KEY = `key-${randomBytes(16).toString('hex')}`;
const reader = new SsotReader();
const clock = new FakeClock(Date.now());
const redactor = new Redactor();
const log = memoryLogger(redactor);
let config: MailgunConfig;
let db: TestDb;
let proxy: TcpProxy;
let viaProxy: pg.Pool;
let base: string;
let close: () => Promise<void>;
const responses: Array<{ status: number; type: string | null; text: string }> = [];

beforeAll(async () => {
  db = await migratedDb();
  const target = new URL(db.url);
  proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  const u = new URL(db.url);
  u.port = String(proxy.port);
  viaProxy = new pg.Pool({ connectionString: u.toString(), max: 4, connectionTimeoutMillis: 2000 });
  viaProxy.on('error', () => undefined); // idle clients cut by the proxy
  config = loadMailgunConfig(reader, new Secrets(reader.load('ssot/secrets/registry.yaml'), { MAILGUN_SIGNING_KEY: KEY }, redactor));
  const server = serveHandler(mailgunHandler(config, { pool: viaProxy, clock, log, redactor }), log);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
});
afterAll(async () => {
  await close?.();
  await viaProxy?.end().catch(() => undefined);
  await proxy?.stop();
  await db?.drop();
});

function event(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    event: 'delivered',
    timestamp: clock.now() / 1000,
    recipient: 'tester@example.com',
    envelope: { transport: 'smtp', sender: 'bounce@mg.insightpulseai.com' },
    message: {
      headers: {
        'message-id': `${randomBytes(6).toString('hex')}@mg.insightpulseai.com`,
        subject: 'Invoice INV/2026/0001',
        from: 'Odoo <odoo@insightpulseai.com>',
      },
    },
    'user-variables': { env: 'stage', transport: 'smtp.mailgun.org:587' },
    'delivery-status': { code: 650 },
    ...over,
  };
}

function signed(ev: Record<string, unknown>, opts: { key?: string; timestamp?: number; token?: string } = {}): string {
  const timestamp = String(opts.timestamp ?? Math.floor(clock.now() / 1000));
  const token = opts.token ?? randomBytes(25).toString('hex');
  return JSON.stringify({ signature: { timestamp, token, signature: mailgunSignature(opts.key ?? KEY, timestamp, token) }, 'event-data': ev });
}

async function post(
  body: string | Uint8Array,
  init: RequestInit = {},
  path = '/functions/v1/ops-mailgun-ingest',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...init });
  const text = await res.text();
  responses.push({ status: res.status, type: res.headers.get('content-type'), text });
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
}

const count = async (): Promise<number> => (await db.pool.query('select count(*)::int n from ops.mail_events')).rows[0].n;

describe('Mailgun webhook', () => {
  it('stores a valid event with the plan columns and env from the SSOT rule', async () => {
    const ev = event();
    const r = await post(signed(ev));
    expect(r).toEqual({ status: 200, json: { ok: true, result: 'stored' } });
    const row = (
      await db.pool.query(
        "select env, provider, message_id, subject, sender, recipient, transport, extract(epoch from stamp)::bigint s, raw -> 'event-data' ->> 'id' eid from ops.mail_events",
      )
    ).rows[0];
    expect(row).toEqual({
      env: 'stage',
      provider: 'mailgun',
      message_id: (ev.message as { headers: Record<string, string> }).headers['message-id'],
      subject: 'Invoice INV/2026/0001',
      sender: 'Odoo <odoo@insightpulseai.com>',
      recipient: 'tester@example.com',
      transport: 'smtp.mailgun.org:587',
      s: String(Math.round(clock.now() / 1000)),
      eid: ev.id,
    });
    // No env variable: the SSOT's default.
    const ev2 = event({ 'user-variables': {} });
    expect((await post(signed(ev2))).status).toBe(200);
    expect((await db.pool.query("select env from ops.mail_events where raw -> 'event-data' ->> 'id' = $1", [ev2.id])).rows[0].env).toBe(config.envRule.default);
  });

  it('rejects forged, stale and replayed with 406 and stores a duplicate event id once', async () => {
    const before = await count();
    const forged = await post(signed(event(), { key: 'key-not-the-signing-key-at-all' }));
    expect(forged).toMatchObject({ status: 406, json: { ok: false, reason: 'forged' } });
    const now = Math.floor(clock.now() / 1000);
    expect(await post(signed(event(), { timestamp: now - config.maxAgeSeconds - 1 }))).toMatchObject({ status: 406, json: { ok: false, reason: 'stale' } });
    expect(await post(signed(event(), { timestamp: now + config.maxAgeSeconds + 1 }))).toMatchObject({ status: 406, json: { ok: false, reason: 'stale' } });
    expect((await post(signed(event(), { timestamp: now - config.maxAgeSeconds + 5 }))).status).toBe(200);
    expect(await count()).toBe(before + 1);

    const ev = event();
    const body = signed(ev);
    expect((await post(body)).json).toEqual({ ok: true, result: 'stored' });
    expect(await post(body)).toMatchObject({ status: 406, json: { ok: false, reason: 'replayed' } });
    // Mailgun delivers the same event again with a new signature: stored once.
    expect(await post(signed(ev))).toEqual({ status: 200, json: { ok: true, result: 'duplicate' } });
    expect((await db.pool.query("select count(*)::int n from ops.mail_events where raw -> 'event-data' ->> 'id' = $1", [ev.id])).rows[0].n).toBe(1);
    expect(await count()).toBe(before + 2);
    // A one-character change of the signature is forged; the tokens survive a restart (they are rows).
    const tampered = JSON.parse(signed(event())) as { signature: { signature: string } };
    tampered.signature.signature = tampered.signature.signature.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect((await post(JSON.stringify(tampered))).json.reason).toBe('forged');
    expect((await db.pool.query('select count(*)::int n from ops.mail_webhook_tokens')).rows[0].n).toBeGreaterThanOrEqual(4);
  });

  it('answers malformed bodies 406, an oversized body 413, other paths 404 and methods 405, all as JSON', async () => {
    expect(await post('not json')).toMatchObject({ status: 406, json: { ok: false, reason: 'malformed' } });
    expect(await post('{"signature":{}}')).toMatchObject({ status: 406, json: { reason: 'malformed' } });
    expect(await post(signed(event({ id: undefined })))).toMatchObject({ status: 406, json: { reason: 'malformed', message: '`event-data.id` is missing' } });
    expect((await post(signed(event({ 'user-variables': { env: 'qa' } })))).json.message).toMatch(
      /user-variables.env` is "qa"; it must be one of prod, stage, dev/,
    );
    const big = signed(event({ padding: 'x'.repeat(1024 * 1024) }));
    expect(await post(big)).toMatchObject({ status: 413, json: { ok: false, reason: 'too_large' } });
    // Streamed without a Content-Length: cut at the cap all the same.
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(64 * 1024).fill(32));
        c.close();
      },
    });
    expect((await post(chunks as unknown as Uint8Array, { duplex: 'half' })).status).toBe(413);
    expect(await post(signed(event()), {}, '/elsewhere')).toMatchObject({ status: 404, json: { ok: false } });
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await fetch(`${base}/functions/v1/ops-mailgun-ingest`, { method });
      const text = await res.text();
      responses.push({ status: res.status, type: res.headers.get('content-type'), text });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(JSON.parse(text)).toMatchObject({ ok: false });
    }
    expect((await post(signed(event()), {}, '/ops-mailgun-ingest')).status).toBe(200);
  });

  it('stores concurrent deliveries in batches, each once, and refuses only the one Postgres cannot take', async () => {
    const before = await count();
    const evs = Array.from({ length: 40 }, () => event());
    const poisoned = event({ 'delivery-status': { message: 'nul \u0000 byte' } });
    const bodies = [...evs.map((e) => signed(e)), ...evs.slice(0, 10).map((e) => signed(e)), signed(poisoned)];
    const replay = bodies[3] as string;
    const answers = await Promise.all([...bodies, replay].map((b) => post(b)));
    const tally = (k: string) => answers.filter((a) => `${a.status} ${String(a.json.result ?? a.json.reason)}` === k).length;
    expect(tally('200 stored')).toBe(40);
    expect(tally('200 duplicate')).toBe(10);
    expect(tally('406 replayed')).toBe(1);
    expect(answers.find((a) => a.status === 406 && a.json.reason === 'malformed')?.json.message).toMatch(/^the event cannot be stored: /);
    expect(await count()).toBe(before + 40);
    const twice = await db.pool.query("select raw -> 'event-data' ->> 'id' from ops.mail_events group by 1 having count(*) > 1");
    expect(twice.rows).toEqual([]);
  });

  it('group-commits: deliveries that wait for a busy connection go in one statement, each answered for itself', async () => {
    const store = new MailStore(db.pool, { concurrency: 1, maxBatch: 64 });
    const ev = event();
    const d = (e: Record<string, unknown>, token = randomBytes(8).toString('hex')): Delivery => ({
      token,
      signedAt: clock.now() / 1000,
      eventId: e.id as string,
      env: 'dev',
      message_id: `${String(e.id)}@x`,
      subject: null,
      sender: null,
      recipient: 'a@example.com',
      transport: null,
      stamp: clock.now() / 1000,
      raw: JSON.stringify({ 'event-data': e }),
    });
    const same = d(event(), 'same-token-twice');
    const out = await Promise.all([
      store.record(d(event())),
      store.record(d(ev)),
      store.record(d(ev)),
      store.record(same),
      store.record({ ...same, eventId: 'other', raw: JSON.stringify({ 'event-data': { id: 'other' } }) }),
      ...Array.from({ length: 20 }, () => store.record(d(event()))),
    ]);
    expect(out.slice(0, 5).map((o) => o.kind)).toEqual(['stored', 'stored', 'duplicate', 'stored', 'replayed']);
    expect(out.slice(5).every((o) => o.kind === 'stored')).toBe(true);
    expect(store.stats.statements).toBe(2);
    expect(store.stats.largestBatch).toBe(24);
  });

  it('answers 503 while the database is down, then stores the retried event once', async (ctx) => {
    needsServer(ctx, 'connections cut mid-transaction and new ones opened; the embedded engine is one session shared by every connection');
    const before = await count();
    const ev = event();
    const body = signed(ev);
    await proxy.stop();
    const down = await post(body);
    expect(down).toMatchObject({ status: 503, json: { ok: false, reason: 'unavailable' } });
    expect(await post(signed(ev))).toMatchObject({ status: 503 });
    await proxy.start();
    // Mailgun retries the same delivery: its token was never recorded, so it is stored now.
    expect(await post(body)).toEqual({ status: 200, json: { ok: true, result: 'stored' } });
    expect(await post(signed(ev))).toEqual({ status: 200, json: { ok: true, result: 'duplicate' } });
    expect(await count()).toBe(before + 1);
    expect(log.records.some((r) => r.level === 'error' && /database unavailable/.test(r.msg))).toBe(true);
  });

  it('answered every request with a JSON body with ok, and never leaked the signing key', () => {
    expect(responses.length).toBeGreaterThan(20);
    for (const r of responses) {
      expect(r.type).toMatch(/^application\/json/);
      expect(r.status).not.toBe(204);
      expect(typeof (JSON.parse(r.text) as { ok: unknown }).ok).toBe('boolean');
    }
    expect(JSON.stringify(log.records)).not.toContain(KEY);
  });
});
