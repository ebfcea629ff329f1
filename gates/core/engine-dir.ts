import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Set by the launcher's bundle, which does not live beside the sources. */
declare const __GATES_ENGINE_DIR__: string | undefined;

/** The engine's own checkout (where its schemas, docs and sources live), whatever `--root` is. */
export const ENGINE_DIR = typeof __GATES_ENGINE_DIR__ === 'string' ? __GATES_ENGINE_DIR__ : path.resolve(import.meta.dirname, '..', '..');

/**
 * A hash of engine source files (paths relative to the engine's checkout), for the key of a cache
 * whose entries those files produce: an edit to them is a new key, so no entry made by older code
 * is ever used. A file that cannot be read makes a key no other run has.
 */
export function sourcesHash(files: readonly string[]): string {
  const id = files.join('\0');
  let hash = hashes.get(id);
  if (hash === undefined) {
    hash = hashSources(files);
    hashes.set(id, hash);
  }
  return hash;
}

/** Per process: the sources do not change under a running engine that matters (a rebuilt bundle is a new process). */
const hashes = new Map<string, string>();

function hashSources(files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    try {
      h.update(fs.readFileSync(path.join(ENGINE_DIR, f)));
    } catch {
      h.update(`unreadable ${f} ${process.pid} ${Date.now()} ${Math.random()}`);
    }
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}
