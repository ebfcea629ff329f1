import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/** The protocol code of an SSLRequest, answered `N` (no TLS on loopback). */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * Serves one embedded PGlite over the Postgres wire protocol on 127.0.0.1, so the code under test
 * connects with `pg` exactly as it would to a server. PGlite is one session: connections take
 * turns, each holding it from its first message until the backend is idle again (outside a
 * transaction), so their transactions never interleave. Session state (settings, advisory locks)
 * is shared between connections — what only a server isolates is tested on a server.
 */
export async function servePglite(db: PGlite): Promise<{ url: string; close(): Promise<void> }> {
  let holder: net.Socket | undefined;
  const waiters: Array<() => void> = [];
  const acquire = async (sock: net.Socket): Promise<void> => {
    while (holder !== undefined && holder !== sock) await new Promise<void>((r) => waiters.push(r));
    holder = sock;
  };
  const release = (sock: net.Socket): void => {
    if (holder !== sock) return;
    holder = undefined;
    for (const w of waiters.splice(0)) w();
  };
  const sockets = new Set<net.Socket>();

  const server = net.createServer((sock) => {
    sockets.add(sock);
    let buf = Buffer.alloc(0);
    let started = false;
    let idle = true;
    let queue = Promise.resolve();

    const run = async (msg: Buffer): Promise<void> => {
      await acquire(sock);
      const out = Buffer.from(await db.execProtocolRaw(new Uint8Array(msg)));
      const status = lastReadyStatus(out);
      if (status !== undefined) idle = status === 'I';
      if (!sock.destroyed && out.length > 0) sock.write(out);
    };

    const pump = async (): Promise<void> => {
      for (;;) {
        if (!started) {
          if (buf.length < 8) break;
          const len = buf.readInt32BE(0);
          if (buf.length < len) break;
          const msg = buf.subarray(0, len);
          buf = buf.subarray(len);
          const code = msg.readInt32BE(4);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            sock.write('N');
            continue;
          }
          started = true;
          await run(msg);
          continue;
        }
        if (buf.length < 5) break;
        const len = buf.readInt32BE(1) + 1;
        if (buf.length < len) break;
        const msg = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (msg[0] === 0x58 /* Terminate */) {
          sock.end();
          break;
        }
        await run(msg);
      }
      // Hand the session on only between transactions and with no half-sent batch pending.
      if (idle && buf.length === 0) release(sock);
    };

    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      queue = queue.then(pump).catch((e: unknown) => {
        sock.destroy(e instanceof Error ? e : new Error(String(e)));
      });
    });
    sock.on('close', () => {
      sockets.delete(sock);
      void queue.then(async () => {
        // A client that went away inside a transaction must not leave it to the next one.
        if (holder === sock && !idle) await db.execProtocolRaw(simpleQuery('rollback')).catch(() => undefined);
        release(sock);
      });
    });
    sock.on('error', () => undefined);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The transaction status of the last ReadyForQuery (`Z`) message in a backend output, if any. */
function lastReadyStatus(out: Buffer): string | undefined {
  let status: string | undefined;
  let i = 0;
  while (i + 5 <= out.length) {
    const type = out[i];
    const len = out.readInt32BE(i + 1);
    if (type === 0x5a && len === 5 && i + 6 <= out.length) status = String.fromCharCode(out[i + 5] ?? 0);
    i += 1 + len;
  }
  return status;
}

function simpleQuery(sql: string): Uint8Array {
  const body = Buffer.from(`${sql}\0`, 'utf8');
  const msg = Buffer.alloc(5 + body.length);
  msg.write('Q', 0, 'latin1');
  msg.writeInt32BE(4 + body.length, 1);
  body.copy(msg, 5);
  return new Uint8Array(msg);
}
