/**
 * JSON Schema validators from Ajv, with a cache of their compiled code. Importing Ajv, checking
 * each schema against the meta-schema and compiling it costs about a quarter of a second per
 * run; the same validators as Ajv "standalone" code (one CommonJS module per set of schemas)
 * load in a few milliseconds. An entry is keyed by every schema's path, `$id` and text, the
 * flavour's options and the Ajv versions, and carries the hash of its own code: an entry that
 * does not match is compiled again and replaced, never trusted. Only a set whose every schema
 * was added and compiled without error is stored, so a hit means exactly that.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import { sourcesHash } from './engine-dir.ts';

/** A compiled validator: Ajv's function, or the same code loaded from the cache. */
export interface Validate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * How a set of schemas is compiled: `ssot` for the repository's schemas (every error, values in
 * the errors, formats), `artifact` for the engine's own artifact contracts.
 */
export type Flavour = 'ssot' | 'artifact';

/** One schema of a set: where it comes from, its `$id`, its text and its parsed value. */
export interface SchemaSource {
  file: string;
  id: string;
  text: string;
  schema: object;
}

const require = createRequire(import.meta.url);
/** Bumped when the layout of an entry changes. */
const FORMAT = 1;

/** A fresh Ajv of the flavour; `source` keeps each validator's code so it can be stored. */
export function createAjv(flavour: Flavour, source: boolean): Ajv2020 {
  // Loaded on first use: a run whose schemas all come from the cache never loads Ajv.
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const code = source ? { code: { source: true } } : {};
  if (flavour === 'artifact') return new Ajv({ allErrors: true, strict: true, ...code });
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, ...code });
  // ajv-formats is CommonJS; its export may arrive wrapped.
  const formats = require('ajv-formats') as { default?: (a: Ajv2020) => Ajv2020 } & ((a: Ajv2020) => Ajv2020);
  (formats.default ?? formats)(ajv);
  return ajv;
}

function cacheKey(flavour: Flavour, sources: readonly SchemaSource[]): string {
  const h = createHash('sha256');
  const version = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
  // This file sets the options and writes the code: an edit to it is a new key.
  h.update(JSON.stringify([FORMAT, flavour, version('ajv'), flavour === 'ssot' ? version('ajv-formats') : '', sourcesHash(['gates/core/validators.ts'])]));
  for (const s of sources) h.update(`\0${s.file}\0${s.id}\0${s.text}`);
  return h.digest('hex').slice(0, 40);
}

const HEADER = /^\/\/ sha256:([0-9a-f]{64})\n/;

function entryFile(dir: string, flavour: Flavour, sources: readonly SchemaSource[]): string {
  return path.join(dir, `${flavour}-${cacheKey(flavour, sources)}.cjs`);
}

/**
 * The validators of every source by `$id`, from the cache folder `dir`; undefined on a miss
 * (no entry, or one whose code does not match its hash or does not load).
 */
export function cachedValidators(dir: string, flavour: Flavour, sources: readonly SchemaSource[]): Map<string, Validate> | undefined {
  if (sources.length === 0) return new Map();
  const file = entryFile(dir, flavour, sources);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const m = HEADER.exec(text);
  if (!m || createHash('sha256').update(text.slice(m[0].length)).digest('hex') !== m[1]) return undefined;
  let mod: Record<string, unknown>;
  try {
    mod = require(file) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const out = new Map<string, Validate>();
  for (const s of sources) {
    const fn = mod[s.id];
    if (typeof fn !== 'function') return undefined;
    out.set(s.id, fn as Validate);
  }
  return out;
}

/**
 * Compiles every source in `ajv` (where they were all added) and stores the validators' code in
 * `dir`. Nothing is stored when one does not compile; a write that fails only costs the next run
 * the compilation. Returns whether an entry was written.
 */
export function storeValidators(dir: string, flavour: Flavour, sources: readonly SchemaSource[], ajv: Ajv2020): boolean {
  if (sources.length === 0) return false;
  try {
    for (const s of sources) if (!ajv.getSchema(s.id)) return false;
    const standalone = require('ajv/dist/standalone/index.js') as { default: (a: Ajv2020, refs: Record<string, string>) => string };
    // The code requires Ajv's runtime helpers (and the formats) by package name; named by their
    // resolved paths, an entry loads from wherever the cache folder is.
    const code = standalone
      .default(ajv, Object.fromEntries(sources.map((s) => [s.id, s.id])))
      .replace(/\brequire\("([^"\\]+)"\)/g, (_, spec: string) => `require(${JSON.stringify(require.resolve(spec))})`);
    const text = `// sha256:${createHash('sha256').update(code).digest('hex')}\n${code}`;
    fs.mkdirSync(dir, { recursive: true });
    const file = entryFile(dir, flavour, sources);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    return true;
  } catch {
    return false;
  }
}
