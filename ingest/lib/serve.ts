import http from 'node:http';
import type { Logger } from './log.ts';

export interface ServeOptions {
  /**
   * Bodies are buffered up to this many bytes. A longer body reaches the handler cut at
   * limit + 1 bytes (so the handler sees it is too large) without its Content-Length; the rest is
   * drained and discarded, so the client reads the answer instead of a reset.
   */
  bodyLimit: number;
}

/** Past this, a body over the limit is not drained any more: the connection is cut. */
const MAX_DRAIN_BYTES = 8 * 1024 * 1024;

/**
 * Serves a Web-standard handler `(Request) => Promise<Response>` over node:http, as an Edge
 * runtime would. A handler that throws answers 500 with a JSON body.
 */
export function serveHandler(handler: (req: Request) => Promise<Response>, log: Logger, opts: ServeOptions = { bodyLimit: 1024 * 1024 }): http.Server {
  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    try {
      const url = `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`;
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const body = hasBody ? await readLimited(req, opts.bodyLimit) : undefined;
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (body?.cut && (k === 'content-length' || k === 'transfer-encoding')) continue;
        if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
        else if (v !== undefined) headers.set(k, v);
      }
      const response = await handler(new Request(url, { method: req.method, headers, body: body?.bytes }));
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => (out[k] = v));
      const buf = Buffer.from(await response.arrayBuffer());
      out['content-length'] = String(buf.byteLength);
      res.writeHead(response.status, out);
      res.end(buf);
    } catch (e) {
      log.error('handler failed', { error: e instanceof Error ? e.message : String(e) });
      if (!res.headersSent) {
        const body = JSON.stringify({ ok: false, reason: 'internal', message: 'internal error' });
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      }
      res.end();
    }
  };
  // Every failure is answered inside `serve`, so nothing is left to reject.
  return http.createServer((req, res) => void serve(req, res));
}

/** Up to limit + 1 bytes of the body; `cut` when there was more (the rest is drained). */
function readLimited(req: http.IncomingMessage, limit: number): Promise<{ bytes: Buffer; cut: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let cut = false;
    let drained = 0;
    const finish = (): void => resolve({ bytes: Buffer.concat(chunks), cut });
    req.on('data', (chunk: Buffer) => {
      if (cut) {
        drained += chunk.byteLength;
        if (drained > MAX_DRAIN_BYTES) req.socket.destroy();
        return;
      }
      size += chunk.byteLength;
      if (size > limit) {
        cut = true;
        chunks.push(chunk.subarray(0, chunk.byteLength - (size - limit - 1)));
        finish();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!cut) finish();
    });
    req.on('error', (e) => {
      if (!cut) reject(e);
    });
  });
}
