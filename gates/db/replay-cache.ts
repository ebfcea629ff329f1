import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { ENGINE_DIR } from '../core/artifacts.ts';
import type { ReplayResult } from './replay.ts';

/**
 * The replay's result, stored by content: a run whose baseline, migrations, target platform and
 * engine are those of a stored entry takes its result and opens no database. The cache can make a
 * run faster, never change a verdict: an entry that does not parse, whose checksum or stored key
 * does not match, is ignored (and rebuilt by the run).
 */

/** Bump when the shape of `ReplayResult` or the way it is computed changes. */
export const REPLAY_CACHE_FORMAT = 3;

/** Where `gates check` keeps replay results (the engine's own node_modules/.cache). */
export const REPLAY_CACHE_DIR = path.join(ENGINE_DIR, 'node_modules', '.cache', 'odooops-gates', 'replay');

export interface ReplayKeyInputs {
  /** The Supabase baseline SQL as shipped. */
  baseline: string;
  /** Every migration file, in replay order: root-relative path and content. */
  files: ReadonlyArray<{ file: string; text: string }>;
  /** The target platform as the replay reads it (ssot/platform.yaml). */
  platform: unknown;
  /** `pglite@<version>` or `postgres@<server_version_num>` plus what the server offers. */
  engine: string;
}

/** Hex sha-256 of every input, each length-prefixed so no two input sets collide by concatenation. */
export function replayCacheKey(k: ReplayKeyInputs): string {
  const h = createHash('sha256');
  const put = (s: string): void => {
    const b = Buffer.from(s, 'utf8');
    h.update(`${b.length}:`);
    h.update(b);
  };
  put(`odooops-gates replay cache format ${REPLAY_CACHE_FORMAT}`);
  put(k.engine);
  put(JSON.stringify(k.platform));
  put(k.baseline);
  put(String(k.files.length));
  for (const f of k.files) {
    put(f.file);
    put(f.text);
  }
  return h.digest('hex');
}

/** Whether a result may be stored: a database that could not be opened or a timeout says nothing about the migrations. */
export function cacheable(r: ReplayResult): boolean {
  return !r.failure || !(r.failure.setup || r.failure.timedOut || r.failure.syntax);
}

const entryFile = (dir: string, key: string): string => path.join(dir, `${key}.bin`);

/** The stored result of `key`, or undefined when there is none or it cannot be trusted. */
export function readReplayCache(dir: string, key: string): ReplayResult | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(entryFile(dir, key));
  } catch {
    return undefined;
  }
  try {
    if (buf.length < 33) return undefined;
    const sum = buf.subarray(0, 32);
    const body = buf.subarray(32);
    if (!createHash('sha256').update(body).digest().equals(sum)) return undefined;
    const entry = v8.deserialize(body) as { format?: unknown; key?: unknown; result?: unknown };
    if (entry.format !== REPLAY_CACHE_FORMAT || entry.key !== key || !isResult(entry.result)) return undefined;
    return entry.result;
  } catch {
    return undefined;
  }
}

/** Stores `result` under `key` atomically (a temporary file renamed into place); a failure to write is not an error. */
export function writeReplayCache(dir: string, key: string, result: ReplayResult): boolean {
  const { database: _database, basis: _basis, ...rest } = result;
  const body = v8.serialize({ format: REPLAY_CACHE_FORMAT, key, result: rest });
  const sum = createHash('sha256').update(body).digest();
  const file = entryFile(dir, key);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(tmp, Buffer.concat([sum, body]));
    fs.renameSync(tmp, file);
    return true;
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
}

function isResult(v: unknown): v is ReplayResult {
  const r = v as Partial<ReplayResult> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    (r.engine === 'pglite' || r.engine === 'postgres') &&
    typeof r.engineMajor === 'number' &&
    typeof r.targetMajor === 'number' &&
    Array.isArray(r.applied) &&
    Array.isArray(r.notices) &&
    Array.isArray(r.objectCounts) &&
    typeof r.catalog === 'object' &&
    r.catalog !== null &&
    ['relations', 'foreignKeys', 'indexes', 'functions'].every((k) => Array.isArray((r.catalog as unknown as Record<string, unknown>)[k])) &&
    r.columns instanceof Map &&
    r.origins instanceof Map &&
    r.rows instanceof Map &&
    Array.isArray(r.rowsOmitted) &&
    (r.failure === undefined || (typeof r.failure === 'object' && r.failure !== null && typeof r.failure.file === 'string'))
  );
}

/**
 * A cheap stamp of what a replay of `root` reads (the names, sizes and times of the migrations
 * folder's entries, the platform file's, the baseline's): not a cache key, only a guess, before
 * the migrations are read, of whether the cache will hit. Undefined when there is no migrations
 * folder.
 */
export function replayStamp(root: string, migrationsDir: string, platformFile: string, baselineFile: string): string | undefined {
  const h = createHash('sha256');
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, migrationsDir), { withFileTypes: true });
  } catch {
    return undefined;
  }
  const stat = (file: string): string => {
    try {
      const st = fs.statSync(file);
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    h.update(`${e.name}\0${e.isFile() ? stat(path.join(root, migrationsDir, e.name)) : 'dir'}\n`);
  }
  h.update(`${stat(path.join(root, platformFile))}\n${stat(baselineFile)}\n${REPLAY_CACHE_FORMAT}`);
  return h.digest('hex');
}

const stampFile = (dir: string, root: string): string => path.join(dir, `stamp-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.txt`);

/** Whether the last replay of `root` that the cache holds had this stamp (so this run's will likely hit). */
export function stampMatches(dir: string, root: string, stamp: string): boolean {
  try {
    return fs.readFileSync(stampFile(dir, root), 'utf8') === stamp;
  } catch {
    return false;
  }
}

/** Notes the stamp of a replay of `root` whose result the cache holds. */
export function noteStamp(dir: string, root: string, stamp: string): void {
  if (stampMatches(dir, root, stamp)) return;
  const file = stampFile(dir, root);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(tmp, stamp);
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}
