// PGlite in a worker thread, so a statement that hangs can be stopped: PGlite ignores
// statement_timeout, and only terminating the thread interrupts running WASM. Plain JavaScript,
// because a worker does not inherit the TypeScript loader under every runner.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';

// The launcher's V8 compile cache (Node 22.1 and later) for PGlite's code too.
if (workerData?.compileCache) module.enableCompileCache?.(workerData.compileCache);
// The dump the last run opened is read while PGlite's code loads; `open` uses it if asked for it.
const prefetch = workerData?.prefetch;
// Where unzipped extension bundles are kept (the dumps' folder).
const cacheDir = workerData?.cacheDir;
const prefetched = prefetch ? readWhole(prefetch) : undefined;
prefetched?.catch(() => undefined);
const { MemoryFS, PGlite } = await import('@electric-sql/pglite');

/** A file's bytes, read off the thread in as few reads as the kernel allows (`readFile` reads 512 KB at a time). */
async function readWhole(file) {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) throw new Error(`${file} ended at byte ${at} of ${size}`);
      at += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

let db;

// The extension bundles PGlite ships (contrib, pgvector), loaded for real: [{ module, name }].
async function loadExtensions(list) {
  const out = {};
  for (const { module, name } of list ?? []) out[name] = onFirstUse((await import(module))[name]);
  return out;
}

/**
 * An extension whose library is compiled when Postgres first loads it, not when PGlite starts:
 * PGlite compiles every bundled library at start-up (pgcrypto's is 3 MB of WebAssembly, ≈0.3 s),
 * though a replay calls an extension's C functions only when its migrations or seeds use them.
 * Its files are put in place as PGlite would put them; Postgres's own `dlopen` reads the library
 * from the file system on first use. Extensions that ship no bundle are left as they are.
 */
function onFirstUse(extension) {
  return {
    ...extension,
    async setup(pg, opts, clientOnly) {
      const given = await extension.setup(pg, opts, clientOnly);
      if (!given?.bundlePath || clientOnly) return given;
      const { bundlePath, ...rest } = given;
      const entries = untar(unzippedBundle(fileURLToPath(bundlePath)));
      const base = given.emscriptenOpts ?? opts;
      const place = (mod) => placeFiles(mod.FS, mod.WASM_PREFIX, entries);
      return { ...rest, emscriptenOpts: { ...base, preRun: [...[base.preRun ?? []].flat(), place] } };
    },
  };
}

// 16 MB of shared buffers instead of 128: zeroing them cost ≈0.6 s of every start, and a replay
// of migrations never fills them (docs: PERFORMANCE.md).
const startParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
// Where PGlite keeps its data directory in its in-memory file system.
const PGDATA = '/pglite/data';

/**
 * An extension bundle (`.tar.gz`) as a tar, unzipped once and kept beside the dumps, keyed by the
 * bundle's path, size and time: unzipping pgcrypto's cost ≈80 ms of every start. A kept copy that
 * does not read as a tar is unzipped again.
 */
function unzippedBundle(file) {
  const st = fs.statSync(file);
  const key = createHash('sha256').update(`${file}\0${st.size}\0${st.mtimeMs}`).digest('hex').slice(0, 16);
  const kept = cacheDir ? path.join(cacheDir, `pglite-bundle-${key}.tar`) : undefined;
  if (kept && fs.existsSync(kept)) {
    const bytes = fs.readFileSync(kept);
    try {
      untar(bytes);
      return bytes;
    } catch {
      // Unzipped again below.
    }
  }
  const bytes = gunzipSync(fs.readFileSync(file));
  if (kept) {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${kept}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, kept);
    } catch {
      // Not kept: the next start unzips it again.
    }
  }
  return bytes;
}

/**
 * Puts `entries` (from `untar`) under `root` of an Emscripten file system; each file's contents
 * stay the view they are (`canOwn`), so nothing is copied.
 */
function placeFiles(FS, root, entries) {
  const made = new Set();
  const folder = (dir) => {
    if (made.has(dir)) return;
    if (!FS.analyzePath(dir).exists) FS.mkdirTree(dir);
    made.add(dir);
  };
  for (const e of entries) {
    const file = `${root}/${e.name}`;
    if (e.dir) folder(file);
    else {
      folder(file.slice(0, file.lastIndexOf('/')));
      FS.writeFile(file, e.data, { canOwn: true });
    }
  }
}

/** A NUL-terminated field of a tar header. */
function field(bytes, at, len) {
  let end = at;
  while (end < at + len && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('utf8');
}

/** An octal number field of a tar header; NaN when it is not one. */
function octal(bytes, at, len) {
  const text = field(bytes, at, len).trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

/**
 * The entries of a ustar archive (PGlite's own dump: regular files and folders), each file's data
 * a view of `bytes`, never a copy. Throws on anything else, so that a damaged archive is rebuilt.
 */
function untar(bytes) {
  const entries = [];
  let at = 0;
  for (;;) {
    if (at + 512 > bytes.length) throw new Error('the archive ends inside a header');
    if (bytes[at] === 0) return entries;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : bytes[i + at];
    if (sum !== octal(bytes, at + 148, 8)) throw new Error(`bad header checksum at byte ${at}`);
    const size = octal(bytes, at + 124, 12);
    const type = String.fromCharCode(bytes[at + 156] || 48);
    const prefix = field(bytes, at + 345, 155);
    const name = `${prefix ? `${prefix}/` : ''}${field(bytes, at + 0, 100)}`.replace(/^\/+|\/+$/g, '');
    if (!Number.isFinite(size) || name.split('/').includes('..')) throw new Error(`bad entry at byte ${at}`);
    const data = at + 512;
    if (data + size > bytes.length) throw new Error(`${name} is cut short`);
    if (type === '0') entries.push({ name, data: bytes.subarray(data, data + size) });
    else if (type === '5') entries.push({ name, dir: true });
    else throw new Error(`unexpected entry type ${type} (${name})`);
    at = data + Math.ceil(size / 512) * 512;
  }
}

/**
 * PGlite's in-memory file system with the data directory of a dump put in place before Postgres
 * starts: each file's contents are a view of the one buffer the dump was read into (PGlite's own
 * `loadDataDir` copies every file twice; on a 40 MB directory that was ≈0.4 s of each start).
 */
class DumpFS extends MemoryFS {
  constructor(entries) {
    super();
    this.entries = entries;
  }

  async init(pg, opts) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const before = emscriptenOpts.preRun === undefined ? [] : [emscriptenOpts.preRun].flat();
    const place = (mod) => {
      mod.FS.mkdirTree(PGDATA);
      placeFiles(mod.FS, PGDATA, this.entries);
      this.entries = undefined;
    };
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...before, place] } };
  }
}

/** PGlite from the dump `cacheFile`; throws when the dump is missing, damaged or does not start. */
async function fromDump(cacheFile, ext) {
  const bytes = cacheFile === prefetch && prefetched ? await prefetched : fs.readFileSync(cacheFile);
  const entries = untar(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (!entries.some((e) => e.name === 'PG_VERSION')) throw new Error('the dump holds no data directory');
  const pg = await PGlite.create({ fs: new DumpFS(entries), extensions: ext, startParams });
  try {
    await pg.query('select 1');
    return pg;
  } catch (e) {
    await pg.close().catch(() => undefined);
    throw e;
  }
}

/**
 * Opens the database from its cached dump, else (no dump, or a damaged one, when the baseline is
 * given) initialises it, applies the baseline and stores the dump atomically. Without a baseline,
 * a missing or damaged dump fails the open.
 */
async function open({ cacheFile, baseline, extensions }) {
  const ext = await loadExtensions(extensions);
  if (fs.existsSync(cacheFile)) {
    try {
      db = await fromDump(cacheFile, ext);
      return;
    } catch (e) {
      if (baseline === undefined) throw e;
      // A cache can make a run faster, never fail it: the dump is built again.
      fs.rmSync(cacheFile, { force: true });
    }
  } else if (baseline === undefined) throw new Error(`no dump at ${cacheFile}`);
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
