import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { cmp } from './finding.ts';
import { gitFiles, gitView, type GitView } from './git.ts';
import { isInside, toPosix } from './paths.ts';
import { readText, type FileText } from './read.ts';
import { FileTree, walkFiles, type Opened } from './tree.ts';
import { isYamlEntry, parseYaml, restoreYaml, yamlEntry, YAML_PARSE_VERSION, type YamlEntry, type YamlFile } from './yaml.ts';
import { packageVersion, ParseCache } from './parse-cache.ts';
import { sourcesHash } from './engine-dir.ts';

/** The sources that make a YAML cache entry (the parse, its problems and their wording, the line index). */
const YAML_ENTRY_SOURCES = ['gates/core/yaml.ts', 'gates/core/text.ts', 'gates/core/policy.ts'];

export { MAX_FILE_BYTES, type FileText } from './read.ts';

/** Folders a walk (outside a git work tree) never enters. */
const WALK_SKIPPED = new Set(['node_modules', '.git']);

/** Paths no policy sees: dependencies, VCS data, and the policy fixtures (tiny repos of their own). */
const DEFAULT_IGNORES = ['node_modules/**', '**/node_modules/**', '.git/**', '**/__fixtures__/**'];

export interface GateOptions {
  /** Absolute path of the repository checked. */
  root: string;
  /** Absolute path of the artifacts folder (excluded from the file index). */
  artifactsDir: string;
  /** Git ref of the pull request's base, for history policies. */
  base?: string;
  /** Changed files (root-relative) in pull-request mode; undefined means a full run. */
  changedFiles?: string[];
  /** Path of the console's Next.js app (relative to the root or absolute). */
  appDir?: string;
  /** Postgres connection string; undefined means the embedded PGlite. */
  databaseUrl?: string;
  /**
   * Folder of the replay cache (results stored by a hash of the baseline, the migrations, the
   * target platform and the engine); undefined: every run replays.
   */
  replayCache?: string;
  /**
   * Folder of compiled JSON Schema validators (Ajv standalone code keyed by the schemas' content);
   * undefined: the schemas are compiled in every run.
   */
  schemaCache?: string;
  /**
   * Folder of the parse caches (what each YAML file and each migration parsed to, keyed by a hash
   * of the text; gates/core/parse-cache.ts); undefined: every file is parsed.
   */
  parseCache?: string;
  /**
   * On a Postgres server with `base`: start the replay from a template database of the base's
   * migrations kept on the server, and replay only the pull request's new files (default true).
   */
  replayTemplates?: boolean;
  /** Folder of `module_status_<env>.txt` files (`--module-status`), inside the root; relative to it or absolute. */
  moduleStatusDir?: string;
  /** The merge base `changedFiles` were measured from; dependency rules compare files there. */
  changedFrom?: string;
  /** This run's shard of the per-file work, `{ index: K, count: N }` with 1 ≤ K ≤ N. */
  shard?: { index: number; count: number };
  /** The day waivers are judged on (YYYY-MM-DD, UTC); default today. */
  today?: string;
  /** Every registered policy id (not only those selected to run); default: the ids of the policies run. */
  policyIds?: readonly string[];
}

/**
 * The file index: from git in a work tree (tracked and untracked, not ignored or deleted), else
 * from a walk; never dependencies, VCS data, fixtures or the artifacts folder. Root-relative
 * POSIX paths, sorted.
 */
function listRepoFiles(root: string, artifactsDir: string): string[] {
  const rel = toPosix(path.relative(root, artifactsDir));
  const artifacts = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? [`${rel}/**`] : [];
  const ignored = picomatch([...DEFAULT_IGNORES, ...artifacts], { dot: true });
  const listed = gitFiles(root) ?? walkFiles(root, '', { skipDirs: WALK_SKIPPED }).files;
  return listed
    .map(toPosix)
    .filter((f) => !ignored(f))
    .sort(cmp);
}

/** The files matching any of the picomatch globs; matchers are compiled once per glob set and kept in `cache`. */
export function globFiles(files: readonly string[], patterns: string | readonly string[], cache: Map<string, (p: string) => boolean>): string[] {
  const key = typeof patterns === 'string' ? patterns : patterns.join('\0');
  let match = cache.get(key);
  if (!match) {
    match = picomatch(typeof patterns === 'string' ? patterns : [...patterns], { dot: true });
    cache.set(key, match);
  }
  const m = match;
  return files.filter((f) => m(f));
}

/** What a policy sees of the repository. Everything is read lazily and cached. */
export interface RepoContext {
  readonly root: string;
  readonly options: Readonly<GateOptions>;
  /** Every file of the repository, root-relative POSIX, sorted. */
  readonly files: readonly string[];
  /** Files matching any of the picomatch globs, sorted. */
  glob(patterns: string | readonly string[]): string[];
  exists(file: string): boolean;
  /** The file's text (BOM stripped), or why it cannot be read. */
  read(file: string): FileText;
  /** Convenience: the text, or undefined when unreadable. */
  text(file: string): string | undefined;
  /** The parsed YAML file, or undefined when the text is unreadable. */
  yaml(file: string): YamlFile | undefined;
  /** The first document as plain data; undefined when unreadable or broken. */
  data(file: string): unknown;
  /** The repository's history: files at a ref, commits, merge base, added lines. */
  readonly git: GitView;
  /** Every registered policy id, sorted; the registry as a policy may see it (never by importing it). */
  readonly policyIds: readonly string[];
  /**
   * Opens another folder (absolute, or relative to the root), e.g. the console's app checked out
   * next to the repository, to list and read it with the repository's rules.
   */
  openTree(dir: string): Opened;
  /** Computes once per run and shares the result between policies (e.g. a database replay). */
  memo<T>(key: string, compute: () => T): T;
  /**
   * The run's parse cache of a kind of text (`version` names the parser and its options), or
   * undefined when the run keeps none; what it gains is written at the end of the run.
   */
  parseCache<T>(kind: string, version: string, valid: (entry: unknown) => entry is T): ParseCache<T> | undefined;
}

export class Repo implements RepoContext {
  readonly root: string;
  readonly options: Readonly<GateOptions>;
  private fileList: string[] | undefined;
  private fileSet: Set<string> | undefined;
  private readonly texts = new Map<string, FileText>();
  private readonly yamls = new Map<string, YamlFile | undefined>();
  private readonly memos = new Map<string, unknown>();
  private readonly matchers = new Map<string, (p: string) => boolean>();
  private readonly caches = new Map<string, ParseCache<unknown>>();
  readonly git: GitView;
  readonly policyIds: readonly string[];

  constructor(options: GateOptions) {
    this.root = path.resolve(options.root);
    this.options = options;
    this.git = gitView(this.root);
    this.policyIds = [...(options.policyIds ?? [])].sort(cmp);
  }

  get files(): readonly string[] {
    if (!this.fileList) {
      this.fileList = listRepoFiles(this.root, this.options.artifactsDir);
      this.fileSet = new Set(this.fileList);
    }
    return this.fileList;
  }

  glob(patterns: string | readonly string[]): string[] {
    return globFiles(this.files, patterns, this.matchers);
  }

  exists(file: string): boolean {
    void this.files;
    if (this.fileSet?.has(file)) return true;
    const abs = path.resolve(this.root, file);
    return isInside(this.root, abs) && fs.existsSync(abs);
  }

  read(file: string): FileText {
    let t = this.texts.get(file);
    if (!t) {
      t = readText(this.root, file);
      this.texts.set(file, t);
    }
    return t;
  }

  text(file: string): string | undefined {
    const t = this.read(file);
    return t.ok ? t.text : undefined;
  }

  yaml(file: string): YamlFile | undefined {
    if (!this.yamls.has(file)) {
      const t = this.read(file);
      this.yamls.set(file, t.ok ? this.parseYaml(file, t.text) : undefined);
    }
    return this.yamls.get(file);
  }

  private parseYaml(file: string, text: string): YamlFile {
    const cache = this.parseCache<YamlEntry>('yaml', `${packageVersion('yaml')}\0${YAML_PARSE_VERSION}\0${sourcesHash(YAML_ENTRY_SOURCES)}`, isYamlEntry);
    const hit = cache?.get(text);
    if (hit) return restoreYaml(file, text, hit);
    const y = parseYaml(file, text);
    cache?.set(text, yamlEntry(y));
    return y;
  }

  parseCache<T>(kind: string, version: string, valid: (entry: unknown) => entry is T): ParseCache<T> | undefined {
    const dir = this.options.parseCache;
    if (dir === undefined) return undefined;
    const key = `${kind}\0${version}`;
    let cache = this.caches.get(key) as ParseCache<T> | undefined;
    if (!cache) {
      cache = new ParseCache<T>(dir, this.root, kind, version, valid);
      this.caches.set(key, cache);
    }
    return cache;
  }

  /** Writes what this run added to the parse caches. */
  saveCaches(): void {
    for (const c of this.caches.values()) c.save();
  }

  data(file: string): unknown {
    return this.yaml(file)?.values[0];
  }

  openTree(dir: string): Opened {
    return FileTree.open(this.root, dir);
  }

  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }
}
