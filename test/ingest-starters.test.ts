import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../ingest/lib/clock.ts';
import { SsotReader } from '../ingest/lib/config.ts';
import { memoryLogger } from '../ingest/lib/log.ts';
import { Redactor } from '../ingest/lib/redact.ts';
import { loadStartersConfig, type StartersConfig } from '../ingest/starters/config.ts';
import { deployButtonUrl, exampleRepositoryUrl, vercelProjectName } from '../ingest/starters/deploy-button.ts';
import { runStartersIngest } from '../ingest/starters/run.ts';
import { listen, migratedDb, sendJson, type TestDb, type TestServer } from './helpers/ingest.ts';

const TEMPLATE = 'https://vercel.com/new/clone?repository-url={repository_url}&project-name={slug}&repository-name={slug}';

describe('Deploy Button URL', () => {
  it('matches known-good URLs', () => {
    // vercel/examples starter/blog-next-log/README.md, deployUrl.
    expect(
      deployButtonUrl(TEMPLATE, {
        repositoryUrl: exampleRepositoryUrl('vercel/examples', 'main', 'starter/blog-next-log'),
        slug: vercelProjectName('starter/blog-next-log'),
      }),
    ).toBe(
      'https://vercel.com/new/clone?repository-url=https%3A%2F%2Fgithub.com%2Fvercel%2Fexamples%2Ftree%2Fmain%2Fstarter%2Fblog-next-log&project-name=blog-next-log&repository-name=blog-next-log',
    );
    // vercel/examples starter/tokenlab-model-explorer/README.md, deployUrl.
    expect(
      deployButtonUrl(TEMPLATE, {
        repositoryUrl: exampleRepositoryUrl('vercel/examples', 'main', 'starter/tokenlab-model-explorer'),
        slug: 'tokenlab-model-explorer',
      }),
    ).toBe(
      'https://vercel.com/new/clone?repository-url=https%3A%2F%2Fgithub.com%2Fvercel%2Fexamples%2Ftree%2Fmain%2Fstarter%2Ftokenlab-model-explorer&project-name=tokenlab-model-explorer&repository-name=tokenlab-model-explorer',
    );
    // Vercel's Deploy Button docs, the repository-url example.
    expect(
      deployButtonUrl('https://vercel.com/new/clone?repository-url={repository_url}', {
        repositoryUrl: 'https://github.com/vercel/next.js/tree/canary/examples/hello-world',
        slug: 'x',
      }),
    ).toBe('https://vercel.com/new/clone?repository-url=https%3A%2F%2Fgithub.com%2Fvercel%2Fnext.js%2Ftree%2Fcanary%2Fexamples%2Fhello-world');
  });

  it('encodes odd folder names so that the query decodes back to the folder URL', () => {
    const url = deployButtonUrl(TEMPLATE, {
      repositoryUrl: exampleRepositoryUrl('vercel/examples', 'main', 'solutions/a&b c?#ü'),
      slug: vercelProjectName('solutions/a&b c?#ü'),
    });
    expect(url).toBe(
      'https://vercel.com/new/clone?repository-url=https%3A%2F%2Fgithub.com%2Fvercel%2Fexamples%2Ftree%2Fmain%2Fsolutions%2Fa%2526b%2520c%253F%2523%25C3%25BC&project-name=a-b-c-u&repository-name=a-b-c-u',
    );
    const q = new URL(url).searchParams;
    expect(q.get('repository-url')).toBe('https://github.com/vercel/examples/tree/main/solutions/a%26b%20c%3F%23%C3%BC');
    expect(decodeURIComponent(new URL(q.get('repository-url') as string).pathname.split('/').at(-1) as string)).toBe('a&b c?#ü');
    expect(vercelProjectName('edge-middleware/日本語')).toMatch(/^example-[0-9a-f]{8}$/);
    expect(vercelProjectName('starter/Café Crème--Ünïcode')).toBe('cafe-creme-unicode');
    expect(() => deployButtonUrl('https://vercel.com/new/clone?repository-url={repository_url}&x={nope}', { repositoryUrl: 'u', slug: 's' })).toThrow(
      /unknown placeholder \{nope\}/,
    );
  });
});

interface Example {
  path: string;
  name?: string;
  deps?: Record<string, string>;
  noPackageJson?: boolean;
  rev?: number;
}

const sha = (s: string): string => createHash('sha1').update(s).digest('hex');

/** The GitHub REST API for one repository on loopback: recursive trees with ETags, blobs. */
class FakeGitHub {
  examples: Example[] = [];
  requests: Array<{ path: string; ifNoneMatch?: string }> = [];
  secondaryLimits = 0;
  server!: TestServer;
  private blobs = new Map<string, string>();

  readme(e: Example): string {
    const fm = e.name ? `---\nname: ${JSON.stringify(e.name)}\nframework: Next.js\nuseCase:\n  - Starter\n  - Blog\ncss: Tailwind CSS\n---\n\n` : '';
    return `${fm}# Heading of ${e.path}\n\nrev ${e.rev ?? 0}\n`;
  }

  tree(): { sha: string; tree: unknown[]; truncated: boolean } {
    const entries: Array<{ path: string; type: string; sha: string; mode: string }> = [
      { path: 'README.md', type: 'blob', sha: this.blob('root readme'), mode: '100644' },
      { path: 'internal', type: 'tree', sha: sha('internal'), mode: '040000' },
      { path: 'internal/tool', type: 'tree', sha: sha('internal/tool'), mode: '040000' },
    ];
    const cats = new Set(this.examples.map((e) => e.path.split('/')[0] as string));
    for (const c of cats) entries.push({ path: c, type: 'tree', sha: sha(`${c}${this.examples.length}`), mode: '040000' });
    for (const e of this.examples) {
      const readme = this.blob(this.readme(e));
      const files = [{ path: `${e.path}/README.md`, type: 'blob', sha: readme, mode: '100644' }];
      if (!e.noPackageJson)
        files.push({
          path: `${e.path}/package.json`,
          type: 'blob',
          sha: this.blob(JSON.stringify({ name: 'x', dependencies: e.deps ?? { next: '15.0.0', react: '19.0.0' } })),
          mode: '100644',
        });
      files.push({ path: `${e.path}/node_modules`, type: 'tree', sha: sha(`${e.path}nm`), mode: '040000' });
      entries.push({ path: e.path, type: 'tree', sha: sha(files.map((f) => f.sha).join()), mode: '040000' }, ...files);
    }
    return { sha: sha(JSON.stringify(entries)), tree: entries, truncated: false };
  }

  private blob(content: string): string {
    const s = sha(content);
    this.blobs.set(s, content);
    return s;
  }

  async start(): Promise<void> {
    this.server = await listen((req, res) => {
      const url = new URL(req.url ?? '/', this.server.url);
      const inm = req.headers['if-none-match'];
      this.requests.push({ path: `${url.pathname}${url.search}`, ...(typeof inm === 'string' ? { ifNoneMatch: inm } : {}) });
      const t = /^\/repos\/vercel\/examples\/git\/trees\/([^/]+)$/.exec(url.pathname);
      if (t) {
        if (this.secondaryLimits > 0) {
          this.secondaryLimits--;
          return sendJson(
            res,
            403,
            {
              message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
              documentation_url: 'https://docs.github.com/rest',
            },
            { 'retry-after': '3' },
          );
        }
        if (url.searchParams.get('recursive') !== '1') return sendJson(res, 400, { message: 'want recursive' });
        const tree = this.tree();
        const etag = `W/"${tree.sha}"`;
        if (inm === etag) {
          res.writeHead(304, { etag });
          return res.end();
        }
        return sendJson(res, 200, { ...tree, url: `${this.server.url}${url.pathname}` }, { etag, 'x-ratelimit-remaining': '4999' });
      }
      const b = /^\/repos\/vercel\/examples\/git\/blobs\/([0-9a-f]{40})$/.exec(url.pathname);
      const content = b ? this.blobs.get(b[1] as string) : undefined;
      if (b && content !== undefined) {
        return sendJson(res, 200, {
          sha: b[1],
          size: Buffer.byteLength(content),
          encoding: 'base64',
          content: Buffer.from(content)
            .toString('base64')
            .replace(/(.{60})/g, '$1\n'),
        });
      }
      sendJson(res, 404, { message: 'Not Found' });
    });
  }
}

let db: TestDb;
const gh = new FakeGitHub();
const reader = new SsotReader();

beforeAll(async () => {
  db = await migratedDb();
  await gh.start();
});
afterAll(async () => {
  await gh.server?.close();
  await db?.drop();
});
beforeEach(() => {
  gh.requests = [];
});

function setup(): { config: StartersConfig; deps: Parameters<typeof runStartersIngest>[1] } {
  const redactor = new Redactor();
  const config = { ...loadStartersConfig(reader, { GITHUB_API_URL: gh.server.url }, 'ghp_test_token_0123456789'), retryAfterUnitMs: 1 };
  return { config, deps: { fetch, pool: db.pool, clock: new FakeClock(Date.now()), log: memoryLogger(redactor), redactor } };
}

const ODD = ['starter/my app 7', 'solutions/café crème 8', 'edge-middleware/日本語 9', 'storage/a&b?c#d 10'];

describe('vercel/examples starters', () => {
  it('reads 300 examples with one recursive tree request, odd names and one without package.json', async () => {
    const cats = ['starter', 'solutions', 'framework-boilerplates', 'storage', 'edge-middleware'];
    gh.examples = Array.from({ length: 300 }, (_, i) => ({ path: `${cats[i % 5] ?? 'starter'}/example-${i}`, name: `Example ${i}` }));
    ODD.forEach((p, k) => (gh.examples[7 + k * 1] = { path: p, name: `Odd ${k}` }));
    gh.examples[20] = { path: 'starter/python-flask', noPackageJson: true };
    gh.examples[21] = { path: 'solutions/sveltekit-app', name: 'SvelteKit app', deps: { '@sveltejs/kit': '2', svelte: '5', vite: '6' } };
    const { config, deps } = setup();
    const r = await runStartersIngest(config, deps);
    expect(r.message).toBe('run succeeded: 300 starters (300 read, 0 gone)');
    const trees = gh.requests.filter((q) => q.path.includes('/git/trees/'));
    expect(trees).toEqual([{ path: '/repos/vercel/examples/git/trees/main?recursive=1' }]);
    expect(gh.requests.filter((q) => q.path.includes('/git/blobs/'))).toHaveLength(599);
    expect(gh.requests.some((q) => q.path.includes('/contents/'))).toBe(false);

    const rows = (await db.pool.query('select slug, title, framework, tags, deploy_url from ops.starters order by slug')).rows;
    expect(rows).toHaveLength(300);
    const by = new Map(rows.map((x) => [x.slug, x]));
    expect(by.get('starter/example-0')).toEqual({
      slug: 'starter/example-0',
      title: 'Example 0',
      framework: 'nextjs',
      tags: ['Starter', 'Blog', 'Tailwind CSS'],
      deploy_url:
        'https://vercel.com/new/clone?repository-url=https%3A%2F%2Fgithub.com%2Fvercel%2Fexamples%2Ftree%2Fmain%2Fstarter%2Fexample-0&project-name=example-0&repository-name=example-0',
    });
    expect(by.get('solutions/sveltekit-app')?.framework).toBe('sveltekit');
    // No package.json and no front matter: framework unknown, title from the README heading.
    expect(by.get('starter/python-flask')).toMatchObject({ title: 'Heading of starter/python-flask', framework: null, tags: [] });
    for (const p of ODD) {
      const row = by.get(p);
      expect(row, p).toBeDefined();
      expect(new URL(row.deploy_url).searchParams.get('repository-url')).toBe(exampleRepositoryUrl('vercel/examples', 'main', p));
    }
    expect(by.get('edge-middleware/日本語 9')?.deploy_url).toMatch(/%25E6%2597%25A5%25E6%259C%25AC%25E8%25AA%259E%25209&project-name=9&repository-name=9$/);
    const run = (await db.pool.query('select status, counts, tree_etag, attempts from ops.starters_ingest_runs where id = $1', [r.runId])).rows[0];
    expect(run).toMatchObject({ status: 'succeeded', attempts: 600, counts: { examples: 300, read: 300, gone: 0, without_package_json: 1 } });
    expect(run.tree_etag).toMatch(/^W\/"[0-9a-f]{40}"$/);
    const notes = (await db.pool.query("select message from ops.run_events where run_id = $1 and level = 'warn'", [r.runId])).rows;
    expect(notes).toEqual([{ message: 'starter/python-flask: no package.json; framework from the README only' }]);
  });

  it('sends the ETag on the next run and stops at the 304', async () => {
    const before = (await db.pool.query('select slug, updated_at from ops.starters order by slug')).rows;
    const { config, deps } = setup();
    const r = await runStartersIngest(config, deps);
    expect(r.status).toBe('succeeded');
    expect(r.message).toMatch(/^tree unchanged \(304 for ETag W\/"[0-9a-f]{40}"\); nothing else requested or written$/);
    expect(gh.requests).toHaveLength(1);
    expect(gh.requests[0]?.ifNoneMatch).toMatch(/^W\/"/);
    expect((await db.pool.query('select slug, updated_at from ops.starters order by slug')).rows).toEqual(before);
  });

  it('reads only the changed folders and marks removed examples gone', async () => {
    const removed = gh.examples.splice(0, 2).map((e) => e.path);
    gh.examples[5] = { ...(gh.examples[5] as Example), rev: 1, name: 'Renamed five' };
    const { config, deps } = setup();
    const r = await runStartersIngest(config, deps);
    expect(r.message).toBe('run succeeded: 298 starters (1 read, 2 gone)');
    expect(gh.requests.filter((q) => q.path.includes('/git/blobs/'))).toHaveLength(2);
    expect((await db.pool.query('select slug from ops.starters where gone_at is not null order by slug')).rows.map((x) => x.slug)).toEqual([...removed].sort());
    expect((await db.pool.query('select title from ops.starters where slug = $1', [gh.examples[5]?.path])).rows[0].title).toBe('Renamed five');
  });

  it('waits out a secondary rate limit and retries', async () => {
    gh.secondaryLimits = 1;
    gh.examples.push({ path: 'starter/new-one', name: 'New one' });
    const { config, deps } = setup();
    const r = await runStartersIngest(config, deps);
    expect(r.status).toBe('succeeded');
    expect(gh.requests.filter((q) => q.path.includes('/git/trees/'))).toHaveLength(2);
    const ev = (await db.pool.query("select message, data from ops.run_events where run_id = $1 and message like 'GitHub secondary%'", [r.runId])).rows;
    expect(ev).toHaveLength(1);
    expect(ev[0].message).toMatch(/^GitHub secondary rate limit on GET \/repos\/\{owner\}\/\{repo\}\/git\/trees\/\{tree_sha\}; retrying after 3 s$/);
    expect(ev[0].data).toMatchObject({ retry_after_s: 3, retrying: true });
    expect((await db.pool.query("select title from ops.starters where slug = 'starter/new-one'")).rows[0].title).toBe('New one');

    // A limit that lasts past the retries fails the run and writes nothing.
    gh.secondaryLimits = 10;
    gh.examples.pop();
    const r2 = await runStartersIngest(config, setup().deps);
    expect(r2.status).toBe('failed');
    expect(r2.message).toMatch(/secondary rate limit/);
    expect((await db.pool.query("select gone_at from ops.starters where slug = 'starter/new-one'")).rows[0].gone_at).toBeNull();
    gh.secondaryLimits = 0;
  });
});
