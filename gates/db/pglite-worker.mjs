// PGlite in a worker thread, so a statement that hangs can be stopped: PGlite ignores
// statement_timeout, and only terminating the thread interrupts running WASM. Plain JavaScript,
// because a worker does not inherit the TypeScript loader under every runner.
import fs from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

let db;

// The extension bundles PGlite ships (contrib, pgvector), loaded for real: [{ module, name }].
async function loadExtensions(list) {
  const out = {};
  for (const { module, name } of list ?? []) out[name] = (await import(module))[name];
  return out;
}

// 16 MB of shared buffers instead of 128: zeroing them cost ≈0.6 s of every start, and a replay
// of migrations never fills them (docs: PERFORMANCE.md).
const startParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

async function open({ cacheFile, baseline, extensions }) {
  const ext = await loadExtensions(extensions);
  if (fs.existsSync(cacheFile)) {
    // The tarball handed over as the one ArrayBuffer it was read into: PGlite only calls
    // arrayBuffer() on it, and copying it through a Blob cost ≈0.55 s.
    const bytes = fs.readFileSync(cacheFile);
    const buffer =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes.buffer
        : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const loadDataDir = { type: 'application/x-tar', size: buffer.byteLength, arrayBuffer: async () => buffer };
    db = await PGlite.create({ loadDataDir, extensions: ext, startParams });
    return;
  }
  db = await PGlite.create({ extensions: ext, startParams });
  await db.exec(baseline);
  const dump = await db.dumpDataDir('none');
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(tmp, cacheFile);
}

parentPort.on('message', async ({ id, op, sql, params, cacheFile, baseline, extensions }) => {
  try {
    let rows = [];
    if (op === 'open') await open({ cacheFile, baseline, extensions });
    else if (op === 'exec') rows = (await db.exec(sql)).at(-1)?.rows ?? [];
    else if (op === 'query') rows = (await db.query(sql, params)).rows;
    else if (op === 'close') await db?.close();
    parentPort.postMessage({ id, rows });
  } catch (e) {
    parentPort.postMessage({ id, error: { message: e?.message ?? String(e), code: e?.code, position: e?.position } });
  }
});
