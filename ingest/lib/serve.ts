import http from 'node:http';
import type { Logger } from './log.ts';

/**
 * Serves a Web-standard handler `(Request) => Promise<Response>` over node:http, as an Edge
 * runtime would: the request body is streamed in, the response streamed out. A handler that
 * throws answers 500 with a JSON body.
 */
export function serveHandler(handler: (req: Request) => Promise<Response>, log: Logger): http.Server {
  return http.createServer(async (req, res) => {
    try {
      const url = `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`;
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
        else if (v !== undefined) headers.set(k, v);
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const body = hasBody ? bodyStream(req) : undefined;
      const request = new Request(url, {
        method: req.method,
        headers,
        body: body?.stream,
        // Node's fetch needs this to stream a request body.
        ...(hasBody ? { duplex: 'half' } : {}),
      } as RequestInit);
      const response = await handler(request);
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => (out[k] = v));
      const buf = Buffer.from(await response.arrayBuffer());
      out['content-length'] = String(buf.byteLength);
      res.writeHead(response.status, out);
      res.end(buf);
      // Whatever of the body the handler did not read is drained, so the connection stays usable.
      if (!req.complete) body?.discard();
    } catch (e) {
      log.error('handler failed', { error: e instanceof Error ? e.message : String(e) });
      if (!res.headersSent) {
        const body = JSON.stringify({ ok: false, reason: 'internal', message: 'internal error' });
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      }
      res.end();
    }
  });
}

/** Past this, a body the handler stopped reading is not drained any more: the connection is cut. */
const MAX_DRAIN_BYTES = 8 * 1024 * 1024;

/**
 * The request body as a web stream with back-pressure. When the handler cancels it (a body over
 * its cap), the rest is drained and discarded, so the client reads the answer instead of a reset;
 * a body that goes on past MAX_DRAIN_BYTES has its connection cut.
 */
function bodyStream(req: http.IncomingMessage): { stream: ReadableStream<Uint8Array>; discard: () => void } {
  let cancelled = false;
  const discard = (): void => {
    if (cancelled) return;
    cancelled = true;
    let drained = 0;
    req.on('data', (chunk: Buffer) => {
      drained += chunk.byteLength;
      if (drained > MAX_DRAIN_BYTES) req.socket.destroy();
    });
    req.resume();
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (cancelled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on('end', () => {
        if (!cancelled) controller.close();
      });
      req.on('error', (e) => {
        if (!cancelled) controller.error(e);
      });
    },
    pull() {
      req.resume();
    },
    cancel: discard,
  }, { highWaterMark: 64 * 1024, size: (c) => c.byteLength });
  return { stream, discard };
}
