import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake GitHub received it. */
export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: Record<string, unknown> | undefined;
  at: number;
}

export interface CheckRunState {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string };
  annotations: Array<Record<string, unknown>>;
}

/** A scripted reply for the next request that matches. */
export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * Plays the part of the GitHub checks REST API on 127.0.0.1: lists, creates and updates check
 * runs, appends annotations as GitHub does, records every request, and replies with scripted
 * faults (each used once, in order) before serving normally.
 */
export class FakeGitHub {
  readonly received: Received[] = [];
  readonly runs = new Map<number, CheckRunState>();
  readonly faults: Fault[] = [];
  private nextId = 7001;
  private server: http.Server | undefined;
  /** Base URL with a path prefix, as GitHub Enterprise's `/api/v3`. */
  url = '';

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/v3`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** `METHOD /path` of every request, in order. */
  get calls(): string[] {
    return this.received.map((r) => `${r.method} ${r.path}`);
  }

  private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = u.pathname.replace(/^\/api\/v3/, '');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    const method = req.method ?? 'GET';
    this.received.push({ method, path, query: Object.fromEntries(u.searchParams), authorization: req.headers.authorization, body, at: performance.now() });
    const reply = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(data));
    };
    const i = this.faults.findIndex((f) => f.method === method && f.path.test(path));
    if (i !== -1) {
      const [f] = this.faults.splice(i, 1);
      if (f) return reply(f.status, f.body, f.headers);
    }
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)\/check-runs$/.exec(path))) {
      const name = u.searchParams.get('check_name');
      const list = [...this.runs.values()].filter((r) => r.head_sha === m?.[1] && (!name || r.name === name));
      return reply(200, { total_count: list.length, check_runs: list.map(({ annotations: _a, ...r }) => r) });
    }
    if (method === 'GET' && (m = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)\/annotations$/.exec(path))) {
      const run = this.runs.get(Number(m[1]));
      if (!run) return reply(404, { message: 'Not Found' });
      const per = Number(u.searchParams.get('per_page') ?? 30);
      const page = Number(u.searchParams.get('page') ?? 1);
      const slice = run.annotations.slice((page - 1) * per, page * per);
      const more = page * per < run.annotations.length;
      const next = `${this.url}/repos/acme/ops/check-runs/${run.id}/annotations?per_page=${per}&page=${page + 1}`;
      return reply(200, slice, more ? { link: `<${next}>; rel="next"` } : {});
    }
    if (method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(path)) {
      const run: CheckRunState = {
        id: this.nextId++,
        name: String(body?.name),
        head_sha: String(body?.head_sha),
        status: typeof body?.status === 'string' ? body.status : 'queued',
        conclusion: null,
        output: {},
        annotations: [],
      };
      this.runs.set(run.id, run);
      return reply(201, { id: run.id, name: run.name, head_sha: run.head_sha, status: run.status });
    }
    if (method === 'PATCH' && (m = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(path))) {
      const run = this.runs.get(Number(m[1]));
      if (!run) return reply(404, { message: 'Not Found' });
      if (typeof body?.status === 'string') run.status = body.status;
      if (typeof body?.conclusion === 'string') {
        run.conclusion = body.conclusion;
        run.status = 'completed';
      }
      const output = body?.output as { title?: string; summary?: string; annotations?: Array<Record<string, unknown>> } | undefined;
      if (output) {
        if ((output.annotations?.length ?? 0) > 50) return reply(422, { message: 'Only 50 annotations are allowed per request' });
        run.output = { title: output.title, summary: output.summary };
        run.annotations.push(...(output.annotations ?? []));
      }
      return reply(200, { id: run.id, status: run.status, conclusion: run.conclusion });
    }
    return reply(404, { message: 'Not Found' });
  }
}
