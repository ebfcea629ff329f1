import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_DIR } from '../gates/core/artifacts.ts';
import { mailgunSignature } from '../ingest/mailgun/handler.ts';
import { listen, migratedDb, sendJson, type TestDb, type TestServer } from './helpers/ingest.ts';

const CLI = path.join(ENGINE_DIR, 'ingest', 'cli.ts');
const TOKEN = 'dop_v1_cli_test_token_0123456789abcdef';
let db: TestDb;
let api: TestServer;

beforeAll(async () => {
  db = await migratedDb();
  api = await listen((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return sendJson(res, 401, { id: 'unauthorized', message: 'Unable to authenticate you' });
    const kind = new URL(req.url ?? '/', 'http://x').pathname.replace('/v2/', '');
    const items =
      kind === 'droplets'
        ? [
            {
              id: 7,
              name: 'odoo-1',
              status: 'active',
              memory: 4096,
              vcpus: 2,
              size_slug: 's-2vcpu-4gb',
              region: { slug: 'sgp1' },
              networks: { v4: [] },
              tags: [],
              created_at: '2026-01-01T00:00:00Z',
            },
          ]
        : [];
    sendJson(res, 200, { [kind]: items, links: {}, meta: { total: items.length } });
  });
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; lines: Array<Record<string, unknown>>; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) =>
      resolve({
        code,
        lines: out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
        stderr: err,
      }),
    );
  });
}

describe('npm run ingest / npm run serve', () => {
  it('runs the DigitalOcean ingest, logging JSON lines with the token redacted', async () => {
    const r = await run(['ingest', 'do', '--database-url', db.url], { DIGITALOCEAN_API_URL: api.url, DIGITALOCEAN_TOKEN: TOKEN });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines.at(-1)).toMatchObject({ level: 'info', msg: 'run succeeded: 1 droplets, 0 databases, 0 firewalls, 0 actions', runner: 'ops-do-ingest' });
    expect(JSON.stringify(r.lines)).not.toContain(TOKEN);
    expect((await db.pool.query('select name from ops.do_droplets')).rows).toEqual([{ name: 'odoo-1' }]);

    const dry = await run(['ingest', 'do', '--dry-run'], { DIGITALOCEAN_API_URL: api.url, DIGITALOCEAN_TOKEN: TOKEN });
    expect(dry.code).toBe(0);
    expect(dry.lines.at(-1)?.msg).toBe('dry run: listed 1 droplets, 0 databases, 0 firewalls, 0 actions; nothing written');

    const bad = await run(['ingest', 'do', '--database-url', db.url], { DIGITALOCEAN_API_URL: api.url, DIGITALOCEAN_TOKEN: 'dop_v1_not_the_right_one_at_all' });
    expect(bad.code).toBe(1);
    expect(String(bad.lines.at(-1)?.msg)).toMatch(/answered 401 .*the token is invalid or lacks read scope/);
    expect(JSON.stringify(bad.lines)).not.toContain('not_the_right_one');

    const none = await run(['ingest', 'do', '--database-url', db.url], { DIGITALOCEAN_API_URL: api.url });
    expect(none.code).toBe(2);
    expect(none.lines.at(-1)?.msg).toMatch(/secret digitalocean_token is not set: export DIGITALOCEAN_TOKEN/);
  });

  it('runs the starters ingest, then finds the tree unchanged', async () => {
    const readme = '---\nname: Blog Starter\n---\n# Blog\n';
    const pkg = JSON.stringify({ dependencies: { next: '15' } });
    const blob = (c: string) => ({ sha: c === readme ? 'a'.repeat(40) : 'b'.repeat(40), encoding: 'base64', content: Buffer.from(c).toString('base64') });
    const gh = await listen((req, res) => {
      const p = new URL(req.url ?? '/', 'http://x').pathname;
      if (p === '/repos/vercel/examples/git/trees/main') {
        if (req.headers['if-none-match'] === 'W/"t1"') {
          res.writeHead(304, { etag: 'W/"t1"' });
          return res.end();
        }
        return sendJson(
          res,
          200,
          {
            sha: 'c'.repeat(40),
            truncated: false,
            tree: [
              { path: 'starter', type: 'tree', sha: 'd'.repeat(40) },
              { path: 'starter/blog', type: 'tree', sha: 'e'.repeat(40) },
              { path: 'starter/blog/README.md', type: 'blob', sha: 'a'.repeat(40) },
              { path: 'starter/blog/package.json', type: 'blob', sha: 'b'.repeat(40) },
            ],
          },
          { etag: 'W/"t1"' },
        );
      }
      if (p === `/repos/vercel/examples/git/blobs/${'a'.repeat(40)}`) return sendJson(res, 200, blob(readme));
      if (p === `/repos/vercel/examples/git/blobs/${'b'.repeat(40)}`) return sendJson(res, 200, blob(pkg));
      sendJson(res, 404, { message: 'Not Found' });
    });
    try {
      const env = { GITHUB_API_URL: gh.url };
      const dry = await run(['ingest', 'starters', '--dry-run'], env);
      expect(dry.code).toBe(0);
      expect(dry.lines.at(-1)?.msg).toBe('dry run: 1 starters in vercel/examples@main; nothing written');
      const first = await run(['ingest', 'starters', '--database-url', db.url], env);
      expect(first.code).toBe(0);
      expect(first.lines.at(-1)?.msg).toBe('run succeeded: 1 starters (1 read, 0 gone)');
      expect((await db.pool.query('select slug, title, framework from ops.starters')).rows).toEqual([
        { slug: 'starter/blog', title: 'Blog Starter', framework: 'nextjs' },
      ]);
      const second = await run(['ingest', 'starters', '--database-url', db.url], env);
      expect(second.code).toBe(0);
      expect(second.lines.at(-1)?.msg).toBe('tree unchanged (304 for ETag W/"t1"); nothing else requested or written');
    } finally {
      await gh.close();
    }
  });

  it('serves the Mailgun webhook over node:http until SIGTERM', async () => {
    const key = 'key-cli-test-signing-key-0123456789';
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', 'mailgun', '--port', '0', '--database-url', db.url], {
      env: { PATH: process.env.PATH ?? '', MAILGUN_SIGNING_KEY: key },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Array<Record<string, unknown>> = [];
    const rl = readline.createInterface({ input: child.stdout });
    const port = await new Promise<number>((resolve) =>
      rl.on('line', (l) => {
        const rec = JSON.parse(l) as Record<string, unknown>;
        lines.push(rec);
        if (rec.msg === 'ops-mailgun-ingest listening') resolve(rec.port as number);
      }),
    );
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomBytes(20).toString('hex');
    const body = {
      signature: { timestamp, token, signature: mailgunSignature(key, timestamp, token) },
      'event-data': {
        id: randomUUID(),
        event: 'delivered',
        timestamp: Date.now() / 1000,
        recipient: 'a@example.com',
        message: { headers: { 'message-id': 'm1@x' } },
      },
    };
    const res = await fetch(`http://127.0.0.1:${port}/functions/v1/ops-mailgun-ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, result: 'stored' });
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(lines.some((l) => l.msg === 'event stored')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(key);
  });
});
