/**
 * Mailgun webhook load bench, on loopback: 5,000 signed events (10 % of them Mailgun re-deliveries
 * of an event already sent, with a new signature), posted by 50 concurrent senders to the real
 * handler served over node:http, writing to a throwaway Postgres database (DATABASE_URL's server).
 * Checks that every unique event is stored exactly once and none twice; prints throughput and
 * p50/p99 latency against the targets (≥ 500 events/s, p99 ≤ 100 ms), side by side with the peer:
 * the same rows inserted straight through pg at the same concurrency (no HTTP, no verification).
 * Run: npm run bench:mailgun -- [events=5000] [senders=50] [pool=10] [workers=1]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { ENGINE_DIR } from '../gates/core/artifacts.ts';
import { mailgunSignature } from '../ingest/mailgun/handler.ts';

const EVENTS = Number(process.argv[2] ?? 5000);
const SENDERS = Number(process.argv[3] ?? 50);
const POOL = Number(process.argv[4] ?? 10);
const WORKERS = Number(process.argv[5] ?? 1);
const DUPLICATE_SHARE = 0.1;
// A real server (the local one by default), never the embedded engine the tests fall back to.
process.env.DATABASE_URL ||= 'postgres://postgres@127.0.0.1:5432/postgres';
const { migratedDb } = await import('../test/helpers/ingest.ts');
const KEY = `key-${randomBytes(16).toString('hex')}`;
const TARGET_RATE = 500;
const TARGET_P99_MS = 100;

function event(i: number): Record<string, unknown> {
  return {
    id: randomUUID(),
    event: 'delivered',
    timestamp: Date.now() / 1000,
    recipient: `user${i}@example.com`,
    envelope: { transport: 'smtp', sender: 'bounce@mg.insightpulseai.com' },
    message: {
      headers: {
        'message-id': `${i}.${randomBytes(6).toString('hex')}@mg.insightpulseai.com`,
        subject: `Bench mail ${i}`,
        from: 'Odoo <odoo@insightpulseai.com>',
      },
    },
    'user-variables': { env: ['prod', 'stage', 'dev'][i % 3] },
    'delivery-status': { code: 250, message: 'OK' },
  };
}

function sign(ev: Record<string, unknown>): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = randomBytes(25).toString('hex');
  return JSON.stringify({ signature: { timestamp, token, signature: mailgunSignature(KEY, timestamp, token) }, 'event-data': ev });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function pool<T>(items: T[], workers: number, fn: (item: T) => Promise<number>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        latencies.push(await fn(item));
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - start) / 1000 };
}

async function main(): Promise<void> {
  const unique = Math.round(EVENTS * (1 - DUPLICATE_SHARE));
  const events = Array.from({ length: unique }, (_, i) => event(i));
  // Mailgun re-delivers an event with a fresh signature: same event-data, new token.
  const deliveries = [...events, ...Array.from({ length: EVENTS - unique }, (_, i) => events[(i * 7919) % unique] as Record<string, unknown>)];
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j] as Record<string, unknown>, deliveries[i] as Record<string, unknown>];
  }
  const bodies = deliveries.map(sign);

  const db = await migratedDb();
  const peerDb = await migratedDb();
  try {
    db.pool.on('error', () => undefined);
    // The webhook runs as `npm run serve -- mailgun` does, in its own process: Mailgun's senders
    // are elsewhere, so the load generator does not share the webhook's event loop.
    // Its JSON-lines log goes to a file, as to a log collector: a pipe the bench reads would
    // stall the webhook whenever the senders keep the bench's event loop busy.
    const logFile = path.join(os.tmpdir(), `bench-mailgun-${process.pid}.log`);
    const logFd = fs.openSync(logFile, 'w');
    const server = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ENGINE_DIR, 'ingest', 'cli.ts'),
        'serve',
        'mailgun',
        '--port',
        '0',
        '--database-url',
        db.url,
        '--pool',
        String(POOL),
        '--workers',
        String(WORKERS),
      ],
      {
        env: { ...process.env, MAILGUN_SIGNING_KEY: KEY },
        stdio: ['ignore', logFd, 'inherit'],
      },
    );
    fs.closeSync(logFd);
    const readLog = (): Array<{ msg: string; port?: number }> =>
      fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { msg: string; port?: number });
    let port = 0;
    for (let i = 0; i < 600 && !port; i++) {
      if (server.exitCode !== null) throw new Error(`the webhook process exited with ${server.exitCode}`);
      await new Promise((r) => setTimeout(r, 100));
      const up = readLog().filter((r) => r.msg === 'ops-mailgun-ingest listening');
      if (up.length >= WORKERS) port = up[0]?.port ?? 0;
    }
    if (!port) throw new Error('the webhook did not start within 60 s');
    // The senders are plain node:http clients with keep-alive, as Mailgun's are: undici's fetch
    // costs the sending side several times what the webhook itself does on this machine.
    const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
    const send = (body: string): Promise<{ status: number; text: string }> =>
      new Promise((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/functions/v1/ops-mailgun-ingest',
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    const answers = new Map<string, number>();
    const web = await pool(bodies, SENDERS, async (body) => {
      const t0 = performance.now();
      const res = await send(body);
      const j = JSON.parse(res.text) as { ok: boolean; result?: string; reason?: string };
      const ms = performance.now() - t0;
      const k = `${res.status} ${j.result ?? j.reason ?? ''}`;
      answers.set(k, (answers.get(k) ?? 0) + 1);
      return ms;
    });
    agent.destroy();
    server.kill('SIGTERM');
    const killer = setTimeout(() => server.kill('SIGKILL'), 15_000);
    await new Promise((resolve) => server.once('exit', resolve));
    clearTimeout(killer);
    const logged = readLog().filter((r) => /^(event stored|duplicate event)$/.test(r.msg)).length;
    fs.rmSync(logFile, { force: true });

    const rows = (
      await db.pool.query<{ n: number; ids: number; twice: number }>(
        `select count(*)::int n, count(distinct raw -> 'event-data' ->> 'id')::int ids,
              (select count(*)::int from (select 1 from ops.mail_events group by raw -> 'event-data' ->> 'id' having count(*) > 1) x) twice
         from ops.mail_events`,
      )
    ).rows[0]!;
    const wanted = new Set(events.map((e) => e.id as string));
    const stored = new Set((await db.pool.query<{ id: string }>("select raw -> 'event-data' ->> 'id' id from ops.mail_events")).rows.map((r) => r.id));
    const missing = [...wanted].filter((id) => !stored.has(id)).length;

    // The peer: the same rows straight into Postgres through pg, same concurrency.
    const peer = await pool(deliveries, SENDERS, async (ev) => {
      const t0 = performance.now();
      await peerDb.pool.query(
        `insert into ops.mail_events (env, provider, message_id, subject, sender, recipient, transport, stamp, raw)
         values ($1, 'mailgun', $2, $3, $4, $5, 'smtp', to_timestamp($6), $7::jsonb) on conflict do nothing`,
        [
          (ev['user-variables'] as { env: string }).env,
          (ev.message as { headers: Record<string, string> }).headers['message-id'],
          'subject',
          'sender',
          ev.recipient,
          ev.timestamp,
          JSON.stringify({ 'event-data': ev }),
        ],
      );
      return performance.now() - t0;
    });

    const rate = EVENTS / web.seconds;
    const p50 = pct(web.latencies, 50);
    const p99 = pct(web.latencies, 99);
    const peerRate = EVENTS / peer.seconds;
    const f = (n: number, d = 1): string => n.toFixed(d);
    console.log(
      `Mailgun webhook bench: ${EVENTS} signed events (${unique} unique, ${EVENTS - unique} re-deliveries), ${SENDERS} concurrent senders, loopback, webhook in its own process (${WORKERS} worker${WORKERS > 1 ? 's' : ''}, a pool of ${POOL} connections each)`,
    );
    console.log(
      `machine: ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')} (1 / 5 / 15 min) at the end`,
    );
    console.log('');
    console.log('| path | events/s | p50 ms | p99 ms | max ms | wall s |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    console.log(`| webhook (HTTP, HMAC, token, insert) | ${f(rate, 0)} | ${f(p50)} | ${f(p99)} | ${f(web.latencies.at(-1) ?? NaN)} | ${f(web.seconds, 2)} |`);
    console.log(
      `| peer: plain pg insert | ${f(peerRate, 0)} | ${f(pct(peer.latencies, 50))} | ${f(pct(peer.latencies, 99))} | ${f(peer.latencies.at(-1) ?? NaN)} | ${f(peer.seconds, 2)} |`,
    );
    console.log(`| ratio webhook / peer | ${f(rate / peerRate, 2)}× | | | | |`);
    console.log('');
    console.log(
      `answers: ${[...answers]
        .sort()
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`,
    );
    console.log(
      `stored: ${rows.n} rows, ${rows.ids} distinct event ids, ${rows.twice} stored twice, ${missing} of ${unique} unique events missing; ${logged} log lines`,
    );
    const exact = rows.n === unique && rows.ids === unique && rows.twice === 0 && missing === 0;
    const rateOk = rate >= TARGET_RATE;
    const p99Ok = p99 <= TARGET_P99_MS;
    console.log(`every unique event stored exactly once: ${exact ? 'yes' : 'NO'}`);
    console.log(
      `target ≥ ${TARGET_RATE} events/s: ${rateOk ? 'met' : 'MISSED'} (${f(rate, 0)}); target p99 ≤ ${TARGET_P99_MS} ms: ${p99Ok ? 'met' : 'MISSED'} (${f(p99)})`,
    );
    process.exitCode = exact && rateOk && p99Ok ? 0 : 1;
  } finally {
    await db.drop();
    await peerDb.drop();
  }
}

await main();
