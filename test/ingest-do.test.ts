import type http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { needsServer } from './helpers/pg.ts';
import { loadDoConfig, type DoConfig } from '../ingest/do/config.ts';
import { runDoIngest } from '../ingest/do/run.ts';
import { FakeClock } from '../ingest/lib/clock.ts';
import { SsotReader } from '../ingest/lib/config.ts';
import { memoryLogger } from '../ingest/lib/log.ts';
import { Redactor } from '../ingest/lib/redact.ts';
import { listen, migratedDb, sendJson, type TestDb, type TestServer } from './helpers/ingest.ts';

const TOKEN = 'dop_v1_0123456789abcdef0123456789abcdef';

function droplet(id: number, status = 'active'): Record<string, unknown> {
  return {
    id,
    name: `web-${id}`,
    status,
    memory: 2048,
    vcpus: 2,
    size_slug: 's-2vcpu-2gb',
    region: { slug: 'sgp1', name: 'Singapore 1' },
    networks: {
      v4: [
        { ip_address: '10.0.0.1', type: 'private' },
        { ip_address: `203.0.113.${id % 250}`, type: 'public' },
      ],
    },
    tags: ['odoo', 'prod'],
    created_at: '2026-01-02T03:04:05Z',
  };
}
const database = (id: string, status = 'online') => ({
  id,
  name: `db-${id.slice(0, 4)}`,
  engine: 'pg',
  version: '16',
  status,
  region: 'sgp1',
  num_nodes: 2,
  created_at: '2026-01-02T03:04:05Z',
});
const firewall = (id: string) => ({ id, name: `fw-${id.slice(0, 4)}`, status: 'succeeded', droplet_ids: [1, 2], created_at: '2026-01-02T03:04:05Z' });

type Hook = (req: http.IncomingMessage, res: http.ServerResponse, page: number) => boolean | Promise<boolean>;

/** A DigitalOcean API v2 on loopback: lists from `state`, paged by per_page; hooks may answer instead. */
class FakeDo {
  state = {
    droplets: [] as Record<string, unknown>[],
    databases: [] as Record<string, unknown>[],
    firewalls: [] as Record<string, unknown>[],
    actions: [] as Record<string, unknown>[],
  };
  hits: string[] = [];
  hooks: Record<string, Hook> = {};
  server!: TestServer;

  async start(): Promise<void> {
    // node:http ignores what a listener returns: answer in a promise of our own.
    this.server = await listen(
      (req, res) =>
        void (async () => {
          const url = new URL(req.url ?? '/', this.server.url);
          this.hits.push(`${url.pathname}?${url.searchParams.toString()}`);
          if (req.headers.authorization !== `Bearer ${TOKEN}`) return sendJson(res, 401, { id: 'unauthorized', message: 'Unable to authenticate you' });
          const kind = url.pathname.replace('/v2/', '') as keyof FakeDo['state'];
          const page = Number(url.searchParams.get('page') ?? '1');
          const hook = this.hooks[kind];
          if (hook && (await hook(req, res, page))) return;
          const list = this.state[kind];
          if (!list) return sendJson(res, 404, { id: 'not_found', message: 'The resource you were accessing could not be found.' });
          const per = Number(url.searchParams.get('per_page') ?? '20');
          const items = list.slice((page - 1) * per, page * per);
          const last = Math.max(1, Math.ceil(list.length / per));
          const links: Record<string, unknown> = {};
          if (page < last) {
            const next = new URL(url);
            next.searchParams.set('page', String(page + 1));
            links.pages = { next: next.toString(), last: `${url.origin}${url.pathname}?page=${last}&per_page=${per}` };
          }
          sendJson(res, 200, { [kind]: items, links, meta: { total: list.length } });
        })(),
    );
  }
}

let db: TestDb;
const api = new FakeDo();
const reader = new SsotReader();

beforeAll(async () => {
  db = await migratedDb();
  await api.start();
});
afterAll(async () => {
  await api.server?.close();
  await db?.drop();
});

function setup(over: Partial<DoConfig> = {}): {
  config: DoConfig;
  deps: Parameters<typeof runDoIngest>[1];
  clock: FakeClock;
  log: ReturnType<typeof memoryLogger>;
} {
  const redactor = new Redactor();
  const log = memoryLogger(redactor);
  const clock = new FakeClock(Date.now());
  const config = { ...loadDoConfig(reader, { DIGITALOCEAN_API_URL: api.server.url }, TOKEN), ...over };
  return { config, clock, log, deps: { fetch, pool: db.pool, clock, log, redactor, random: () => 0.5 } };
}

async function inventory(): Promise<unknown[]> {
  const r = await db.pool.query(`
    select 'droplet' k, id::text, name, status, region, gone_at, ingest_run_id from ops.do_droplets
    union all select 'database', id::text, name, status, region, gone_at, ingest_run_id from ops.do_databases
    union all select 'firewall', id::text, name, status, '', gone_at, ingest_run_id from ops.do_firewalls
    order by 1, 2`);
  return r.rows;
}

async function events(runId: string): Promise<Array<{ level: string; message: string; data: Record<string, unknown> }>> {
  const r = await db.pool.query('select level, message, data from ops.run_events where run_id = $1 order by id', [runId]);
  return r.rows;
}

const DB1 = '9cc10173-e9ea-4176-9dbc-a4cee4c4ff30';
const DB2 = '2d3a8c1f-5b3e-4c0a-9f6b-0a1b2c3d4e5f';
const FW1 = 'bb4b2611-3d72-467b-8602-280330ecd65c';

beforeEach(() => {
  api.hooks = {};
  api.hits = [];
  api.state.droplets = Array.from({ length: 450 }, (_, i) => droplet(1000 + i));
  api.state.databases = [database(DB1), database(DB2, 'creating')];
  api.state.firewalls = [firewall(FW1)];
  api.state.actions = [
    {
      id: 77,
      type: 'create',
      status: 'completed',
      resource_type: 'droplet',
      resource_id: 1000,
      started_at: '2026-01-02T03:04:05Z',
      completed_at: '2026-01-02T03:05:05Z',
    },
  ];
});

describe('DigitalOcean inventory', () => {
  it('follows links.pages.next over three pages, writes every kind and marks what is no longer listed gone', async () => {
    const { config, deps } = setup();
    const r = await runDoIngest(config, deps);
    expect(r.message).toBe('run succeeded: 450 droplets, 2 databases, 1 firewalls, 1 actions');
    expect(r.status).toBe('succeeded');
    expect(api.hits.filter((h) => h.startsWith('/v2/droplets'))).toEqual([
      '/v2/droplets?per_page=200',
      '/v2/droplets?per_page=200&page=2',
      '/v2/droplets?per_page=200&page=3',
    ]);
    expect((await db.pool.query('select count(*)::int n from ops.do_droplets where gone_at is null')).rows[0].n).toBe(450);
    const d = (await db.pool.query('select region, size_slug, memory_mb, vcpus, host(public_ipv4) ip, tags from ops.do_droplets where id = 1001')).rows[0];
    expect(d).toEqual({ region: 'sgp1', size_slug: 's-2vcpu-2gb', memory_mb: 2048, vcpus: 2, ip: '203.0.113.1', tags: ['odoo', 'prod'] });
    const run = (await db.pool.query('select status, resources, attempts, error, finished_at from ops.do_ingest_runs where id = $1', [r.runId])).rows[0];
    expect(run.status).toBe('succeeded');
    expect(run.attempts).toBe(6);
    expect(run.resources.droplets).toEqual({ listed: 450, pages: 3, gone: 0 });
    expect(run.finished_at).not.toBeNull();
    const ev = await events(r.runId!);
    expect(ev[0]?.message).toBe('run started');
    expect(ev.at(-1)?.message).toBe(r.message);

    // Active Nodes: active droplets and online clusters.
    expect((await db.pool.query('select kind, count(*)::int n from ops.active_nodes group by kind order by kind')).rows).toEqual([
      { kind: 'database', n: 1 },
      { kind: 'droplet', n: 450 },
    ]);

    // The next run no longer lists droplet 1000 nor DB1: both are marked gone, not deleted.
    api.state.droplets = api.state.droplets.slice(1);
    api.state.databases = [database(DB2, 'online')];
    const r2 = await runDoIngest(config, setup().deps);
    expect(r2.status).toBe('succeeded');
    expect(r2.counts.droplets).toEqual({ listed: 449, pages: 3, gone: 1 });
    expect(r2.counts.databases).toEqual({ listed: 1, pages: 1, gone: 1 });
    const gone = await db.pool.query('select id from ops.do_droplets where gone_at is not null');
    expect(gone.rows).toEqual([{ id: '1000' }]);
    expect((await db.pool.query("select id from ops.active_nodes where kind = 'database'")).rows).toEqual([{ id: DB2 }]);
    expect((await db.pool.query("select count(*)::int n from ops.active_nodes where kind = 'droplet'")).rows[0].n).toBe(449);

    // It comes back: no longer gone.
    api.state.droplets.unshift(droplet(1000));
    await runDoIngest(config, setup().deps);
    expect((await db.pool.query('select count(*)::int n from ops.do_droplets where gone_at is not null')).rows[0].n).toBe(0);
  });

  it('waits what Retry-After asks on a 429, then succeeds and records the retry', async () => {
    let n = 0;
    api.hooks.firewalls = (_req, res) => {
      if (n++ > 0) return false;
      sendJson(res, 429, { id: 'too_many_requests', message: 'API Rate limit exceeded.' }, { 'retry-after': '7', 'ratelimit-remaining': '0' });
      return true;
    };
    const { config, deps, clock } = setup();
    const r = await runDoIngest(config, deps);
    expect(r.status).toBe('succeeded');
    expect(clock.sleeps).toEqual([7000]);
    const retry = (await events(r.runId!)).filter((e) => e.message.startsWith('retry'));
    expect(retry).toHaveLength(1);
    expect(retry[0]?.data).toMatchObject({ status: 429, wait_ms: 7000, basis: 'retry-after', attempt: 1 });
    expect(r.attempts).toBe(7);
  });

  it('gives up after exactly 1 + 5 attempts on six 500s; the run fails and the inventory is unchanged', async () => {
    const before = await inventory();
    expect(before.length).toBeGreaterThan(0);
    let n = 0;
    api.hooks.databases = (_req, res) => {
      n++;
      sendJson(res, 500, { id: 'server_error', message: 'Server Error' });
      return true;
    };
    api.state.droplets = api.state.droplets.slice(5); // would mark 5 gone if anything were written
    const { config, deps, clock } = setup();
    const r = await runDoIngest(config, deps);
    expect(n).toBe(6);
    expect(clock.sleeps).toHaveLength(5);
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/DigitalOcean GET .*\/v2\/databases\?per_page=200 failed after 6 attempts \(1 \+ 5 retries\); the last: HTTP 500/);
    expect(await inventory()).toEqual(before);
    const run = (await db.pool.query('select status, error, attempts from ops.do_ingest_runs where id = $1', [r.runId])).rows[0];
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/failed after 6 attempts/);
    const ev = await events(r.runId!);
    expect(ev.filter((e) => e.message.startsWith('retry'))).toHaveLength(5);
    expect(ev.at(-1)).toMatchObject({ level: 'error' });
  });

  it('fails a malformed page naming the page and the field, and writes nothing', async () => {
    const before = await inventory();
    api.state.droplets = api.state.droplets.map((d, i) => (i === 203 ? { ...d, id: undefined } : { ...d, name: `renamed-${String(d.id)}` }));
    const { config, deps } = setup();
    const r = await runDoIngest(config, deps);
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/droplets page 2 \(GET .*page=2\): `droplets\[3\]\.id` is missing — nothing was written/);
    expect(await inventory()).toEqual(before);

    api.hooks.droplets = (_req, res) => {
      sendJson(res, 200, '<html>Bad gateway</html>', { 'content-type': 'text/html' });
      return true;
    };
    const r2 = await runDoIngest(config, setup().deps);
    expect(r2.message).toMatch(/droplets page 1 .*: the body is not JSON/);
    api.hooks.droplets = (_req, res) => {
      sendJson(res, 200, { links: {} });
      return true;
    };
    const r3 = await runDoIngest(config, setup().deps);
    expect(r3.message).toMatch(/droplets page 1 .*: field `droplets` is missing/);
    expect(await inventory()).toEqual(before);
  });

  it('fails a 401 at once with what to do and never shows the token', async () => {
    const before = await inventory();
    const { config, deps, log } = setup({ token: 'dop_v1_wrong_token_wrong_token_wrong' });
    const r = await runDoIngest(config, deps);
    expect(r.status).toBe('failed');
    expect(r.attempts).toBe(1);
    expect(r.message).toMatch(/answered 401 \(Unable to authenticate you\): the token is invalid or lacks read scope/);
    expect(await inventory()).toEqual(before);
    const all = JSON.stringify(log.records) + JSON.stringify(await events(r.runId!));
    expect(all).not.toContain('dop_v1_wrong_token');
  });

  it('runs one at a time: a second run says the first is running and exits', async (ctx) => {
    needsServer(ctx, 'an advisory lock held by one session and refused to another; the embedded engine is one session');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inFirst = new Promise<void>((resolve) => (entered = resolve));
    api.hooks.droplets = async (_req, _res, page) => {
      if (page === 2) {
        entered();
        await held;
      }
      return false;
    };
    const first = runDoIngest(setup().config, setup().deps);
    await inFirst;
    const second = await runDoIngest(setup().config, setup().deps);
    expect(second.status).toBe('locked');
    const running = (await db.pool.query("select id from ops.do_ingest_runs where status = 'running'")).rows;
    expect(running).toHaveLength(1);
    expect(second.message).toBe(
      `another ops-do-ingest run is running (run ${running[0].id}, started ${(await db.pool.query('select started_at from ops.do_ingest_runs where id = $1', [running[0].id])).rows[0].started_at.toISOString()}); this run exits without reading or writing anything`,
    );
    expect(api.hits.filter((h) => h.startsWith('/v2/droplets'))).toHaveLength(2);
    release();
    const r1 = await first;
    expect(r1.status).toBe('succeeded');
    expect(r1.runId).toBe(running[0].id);
    // The lock is free again.
    expect((await runDoIngest(setup().config, setup().deps)).status).toBe('succeeded');
  });
});
