/**
 * What parsing a YAML text gave (its problems, its documents as plain data, its line starts),
 * kept between runs by a hash of the text. Parsing YAML is most of the time of a run over a large
 * SSOT tree (≈0.3-0.5 ms a file), and the result is a pure function of the text, the yaml
 * package's version and the options: a file that did not change is not parsed again. The
 * documents' syntax trees (to locate findings) are still rebuilt from the text when asked for.
 *
 * One pack per checked root, written with V8's serializer (it keeps what JSON cannot: undefined,
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
import type { YamlProblem } from './yaml.ts';

/** What a YAML text parsed to, without its syntax trees. */
export interface YamlEntry {
  lineStarts: number[];
  docCount: number;
  problems: YamlProblem[];
  values: unknown[];
}

/** Bumped when the entry layout or the parse options change. */
const FORMAT = 1;
const MAGIC = 'odooops-gates-yaml';

function yamlVersion(): string {
  return (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;
}

export class YamlCache {
  private readonly file: string;
  private readonly salt: string;
  private old: Map<string, Uint8Array> | undefined;
  private readonly used = new Map<string, Uint8Array>();
  private added = 0;

  /** The pack of `root` in the cache folder `dir`. */
  constructor(dir: string, root: string) {
    this.file = path.join(dir, `${createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 16)}.bin`);
    this.salt = `${FORMAT}\0${yamlVersion()}\0`;
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
  get(text: string): YamlEntry | undefined {
    const key = this.key(text);
    const bytes = this.used.get(key) ?? this.load().get(key);
    if (!bytes) return undefined;
    let entry: YamlEntry;
    try {
      entry = v8.deserialize(bytes) as YamlEntry;
    } catch {
      return undefined;
    }
    if (!Array.isArray(entry.lineStarts) || !Array.isArray(entry.problems) || !Array.isArray(entry.values) || typeof entry.docCount !== 'number')
      return undefined;
    this.used.set(key, bytes);
    return entry;
  }

  /** Records what `text` parsed to, for the next run. */
  set(text: string, entry: YamlEntry): void {
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
