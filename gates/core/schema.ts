import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import picomatch from 'picomatch';
import type { PolicyFinding } from './finding.ts';
import { resolveInRepo } from './paths.ts';
import type { SchemaMessageId } from './schema-messages.ts';
import { closest } from './suggest.ts';
import type { RepoContext } from './repo.ts';

// ajv-formats is CommonJS; under ESM its default export may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/** The one place that says which schema governs which SSOT files. */
export const SCHEMA_MAP_FILE = 'schemas/map.yaml';
const SCHEMA_GLOB = 'schemas/**/*.schema.json';
const MODELINE = /^#\s*yaml-language-server:\s*\$schema=(\S+)/;

export interface SchemaMapEntry {
  files: string[];
  schema: string;
  /** Index of the entry in the map file, for locating findings. */
  index: number;
}

export interface SchemaChoice {
  schema: string;
  via: 'map' | 'modeline';
  /** Line of the modeline, when there is one. */
  modelineLine?: number;
}

/**
 * Every JSON Schema of the repository in one Ajv instance (draft 2020-12, strict, all errors,
 * formats), each compiled at most once, on first use.
 */
export class SchemaSet {
  /** Problems of the schemas and the map, as findings with a message of SCHEMA_MESSAGES (schema-messages.ts). */
  readonly problems: PolicyFinding[] = [];
  readonly map: SchemaMapEntry[] = [];
  private readonly ajv: Ajv2020;
  private readonly byPath = new Map<string, string>();
  private readonly byId = new Map<string, string>();
  private readonly compiled = new Map<string, ValidateFunction | undefined>();
  private readonly matchers: Array<{ entry: SchemaMapEntry; match: (p: string) => boolean }> = [];

  constructor(private readonly repo: RepoContext) {
    this.ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
    addFormats(this.ajv);
    for (const file of repo.glob(SCHEMA_GLOB)) this.load(file);
    this.loadMap();
  }

  static of(repo: RepoContext): SchemaSet {
    return repo.memo('core/schema-set', () => new SchemaSet(repo));
  }

  get schemaFiles(): string[] {
    return [...this.byPath.keys()];
  }

  has(schemaPath: string): boolean {
    return this.byPath.has(schemaPath);
  }

  idOf(schemaPath: string): string | undefined {
    return this.byPath.get(schemaPath);
  }

  private load(file: string): void {
    const text = this.repo.text(file);
    if (text === undefined) {
      this.problems.push(problem(file, 'schema-unreadable', { reason: describeRead(this.repo, file) }));
      return;
    }
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch (e) {
      this.problems.push(problem(file, 'schema-not-json', { error: (e as Error).message }));
      return;
    }
    const id = (schema as { $id?: unknown }).$id;
    if (typeof id !== 'string') {
      this.problems.push(problem(file, 'schema-without-id'));
      return;
    }
    if (this.byId.has(id)) {
      this.problems.push(problem(file, 'schema-id-taken', { id, other: this.byId.get(id) ?? 'another schema' }));
      return;
    }
    try {
      this.ajv.addSchema(schema as object, id);
      this.byPath.set(file, id);
      this.byId.set(id, file);
    } catch (e) {
      this.problems.push(problem(file, 'schema-invalid', { error: (e as Error).message }));
    }
  }

  private loadMap(): void {
    const data = this.repo.data(SCHEMA_MAP_FILE);
    if (data === undefined) return;
    if (!Array.isArray(data)) {
      this.problems.push({ file: SCHEMA_MAP_FILE, pointer: '', messageId: 'map-not-a-list' satisfies SchemaMessageId });
      return;
    }
    data.forEach((raw, index) => {
      const e = raw as { files?: unknown; schema?: unknown };
      const files = typeof e.files === 'string' ? [e.files] : Array.isArray(e.files) ? e.files.filter((f) => typeof f === 'string') : [];
      if (files.length === 0 || typeof e.schema !== 'string') {
        this.problems.push({ file: SCHEMA_MAP_FILE, pointer: `/${index}`, messageId: 'map-entry-incomplete' satisfies SchemaMessageId });
        return;
      }
      if (!this.byPath.has(e.schema)) {
        const suggestion = closest(e.schema, this.schemaFiles);
        this.problems.push({
          file: SCHEMA_MAP_FILE,
          pointer: `/${index}/schema`,
          ...(suggestion
            ? { messageId: 'map-unknown-schema-typo' satisfies SchemaMessageId, data: { schema: e.schema, suggestion } }
            : { messageId: 'map-unknown-schema' satisfies SchemaMessageId, data: { schema: e.schema } }),
        });
        return;
      }
      const entry: SchemaMapEntry = { files, schema: e.schema, index };
      this.map.push(entry);
      this.matchers.push({ entry, match: picomatch(files, { dot: true }) });
    });
  }

  /** Which schema governs `file`: its modeline, else the map; problems with the modeline are findings as {@link problems} are. */
  choose(file: string): { choice?: SchemaChoice; problems: PolicyFinding[] } {
    const problems: PolicyFinding[] = [];
    const mapped = this.matchers.find((m) => m.match(file))?.entry.schema;
    const modeline = this.modeline(file);
    if (modeline) {
      const target = modeline.target;
      const resolved = /^[a-z]+:\/\//i.test(target) ? this.byId.get(target) : resolveInRepo(file, target);
      if (!resolved || !this.byPath.has(resolved)) {
        const suggestion = closest(resolved ?? target, this.schemaFiles);
        problems.push({
          file,
          line: modeline.line,
          ...(suggestion
            ? { messageId: 'modeline-unknown-schema-typo' satisfies SchemaMessageId, data: { target, suggestion } }
            : { messageId: 'modeline-unknown-schema' satisfies SchemaMessageId, data: { target } }),
        });
      } else {
        if (mapped && mapped !== resolved) {
          problems.push({
            file,
            line: modeline.line,
            messageId: 'modeline-disagrees' satisfies SchemaMessageId,
            data: { schema: resolved, map: SCHEMA_MAP_FILE, mapped },
          });
        }
        return { choice: { schema: resolved, via: 'modeline', modelineLine: modeline.line }, problems };
      }
    }
    return { choice: mapped ? { schema: mapped, via: 'map' } : undefined, problems };
  }

  private modeline(file: string): { target: string; line: number } | undefined {
    const t = this.repo.read(file);
    if (!t.ok) return undefined;
    // Modelines live in the leading comment block.
    for (let line = 1; line <= t.lines.lineCount; line++) {
      const text = t.lines.lineText(line).trim();
      if (text === '') continue;
      if (!text.startsWith('#')) break;
      const m = MODELINE.exec(text);
      if (m?.[1]) return { target: m[1], line };
    }
    return undefined;
  }

  /** Validates data against a loaded schema; undefined when the schema failed to compile. */
  validate(schemaPath: string, data: unknown): ErrorObject[] | undefined {
    let fn = this.compiled.get(schemaPath);
    if (!this.compiled.has(schemaPath)) {
      const id = this.byPath.get(schemaPath);
      try {
        fn = id ? this.ajv.getSchema(id) : undefined;
      } catch (e) {
        this.problems.push(problem(schemaPath, 'schema-not-compiling', { error: (e as Error).message }));
        fn = undefined;
      }
      this.compiled.set(schemaPath, fn);
    }
    if (!fn) return undefined;
    return fn(data) ? [] : [...(fn.errors ?? [])];
  }
}

/** A problem of a schema file as a whole, at its first line. */
function problem(file: string, messageId: SchemaMessageId, data?: Record<string, unknown>): PolicyFinding {
  return { file, line: 1, messageId, ...(data ? { data } : {}) };
}

function describeRead(repo: RepoContext, file: string): string {
  const t = repo.read(file);
  return t.ok ? 'unknown' : t.message;
}
