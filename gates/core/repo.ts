import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { cmp } from './finding.ts';
import { gitFiles, gitView, isWorkTree, type GitView } from './git.ts';
import { isInside, toPosix } from './paths.ts';
import { readText, type FileText } from './read.ts';
import { FileTree, walkFiles, type Opened } from './tree.ts';
import { parseYaml, type YamlFile } from './yaml.ts';

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
  const listed = (isWorkTree(root) ? gitFiles(root) : undefined) ?? walkFiles(root, '', { skipDirs: WALK_SKIPPED }).files;
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
      this.yamls.set(file, t.ok ? parseYaml(file, t.text) : undefined);
    }
    return this.yamls.get(file);
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
