/**
 * What parsing a text gave, kept between runs by a hash of the text: for YAML, its problems, its
 * documents as plain data and its line starts (parsing YAML is most of the time of a run over a
 * large SSOT tree, ≈0.3-0.5 ms a file; the syntax trees that locate findings are rebuilt from the
 * text when asked for); for SQL, the migrations' statements (or the syntax error) from the
 * Postgres parser. A parse is a pure function of the text and the parser's version and options,
 * which are in the key: a file that did not change is not parsed again.
 *
 * One pack per kind and checked root, written with V8's serializer (it keeps what JSON cannot: undefined,
 * NaN, -0) and a checksum: a pack that does not match its checksum or does not deserialize is
 * ignored and rebuilt. Each entry is serialized when it is stored, right after the parse (so a
 * policy that changed the data later cannot change the cache), and deserialized afresh for each
 * file that uses it. A run writes back only the entries it used, so the pack never grows beyond
 * the files of the last run.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';

/** Bumped when the pack layout changes. */
const FORMAT = 1;
const MAGIC = 'odooops-gates-parse';

/** The version of an installed package, for a cache key. */
export function packageVersion(name: string): string {
  return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
}

export class ParseCache<T> {
  private readonly file: string;
  private readonly salt: string;
  private old: Map<string, Uint8Array> | undefined;
  private readonly used = new Map<string, Uint8Array>();
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
    this.salt = `${FORMAT}\0${kind}\0${version}\0`;
  }

  private key(text: string): string {
    return createHash('sha256').update(this.salt).update(text).digest('base64');
  }

  private load(): Map<string, Uint8Array> {
    if (this.old) return this.old;
    this.old = new Map();
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.file);
    } catch {
      return this.old;
    }
    try {
      // Layout: 32 bytes of SHA-256 over the rest, then the serialized pack.
      const body = bytes.subarray(32);
      if (!createHash('sha256').update(body).digest().equals(bytes.subarray(0, 32))) return this.old;
      const pack = v8.deserialize(body) as { magic?: unknown; salt?: unknown; entries?: unknown };
      if (pack.magic !== MAGIC || pack.salt !== this.salt || !(pack.entries instanceof Map)) return this.old;
      this.old = pack.entries as Map<string, Uint8Array>;
    } catch {
      this.old = new Map();
    }
    return this.old;
  }

  /** What `text` parsed to in an earlier run, if it was stored. */
  get(text: string): T | undefined {
    const key = this.key(text);
    const bytes = this.used.get(key) ?? this.load().get(key);
    if (!bytes) return undefined;
    let entry: unknown;
    try {
      entry = v8.deserialize(bytes);
    } catch {
      return undefined;
    }
    if (!this.valid(entry)) return undefined;
    this.used.set(key, bytes);
    return entry;
  }

  /** Records what `text` parsed to, for the next run. */
  set(text: string, entry: T): void {
    this.used.set(this.key(text), v8.serialize(entry));
    this.added++;
  }

  /** Writes the entries this run used, when any was new or some of the old pack went unused. */
  save(): void {
    if (this.added === 0 && (this.old?.size ?? 0) === this.used.size) return;
    try {
      const body = v8.serialize({ magic: MAGIC, salt: this.salt, entries: this.used });
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
