import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import { cmp } from './finding.ts';
import type { GitView } from './git.ts';
import type { YamlFile } from './yaml.ts';
import type { Opened } from './tree.ts';
import { globFiles, type FileText, type GateOptions, type RepoContext } from './repo.ts';

/** `K/N` → `{ index: K, count: N }`; undefined when malformed (1 ≤ K ≤ N ≤ 256). */
export function parseShard(spec: string): { index: number; count: number } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index >= 1 && count >= 1 && count <= 256 && index <= count ? { index, count } : undefined;
}

/** The shard (1-based) a file's per-file work belongs to: a hash of its path, so the split never depends on the file list. */
export function shardOf(file: string, count: number): number {
  return (createHash('sha1').update(file).digest().readUInt32BE(0) % count) + 1;
}

/**
 * A view of the repository for a per-file policy that checks only some of its files (the files a
 * change touches, or one shard's): the files its `perFile` globs match are limited to `targets`;
 * every other file (schemas, the registry, migrations …) stays visible. Texts and parsed files are
 * shared with the full repository; memos are the view's own, except `core/` ones, which never
 * depend on the file list (the schema set).
 */
export class ScopedRepo implements RepoContext {
  private fileList: string[] | undefined;
  private readonly memos = new Map<string, unknown>();
  private readonly matchers = new Map<string, (p: string) => boolean>();
  private readonly rest: readonly string[];

  constructor(
    private readonly base: RepoContext,
    perFileGlobs: readonly string[],
    private readonly targets: ReadonlySet<string>,
  ) {
    // The files the globs do not match, once per glob set and run (policies share glob sets).
    this.rest = base.memo(`core/scope-rest:${perFileGlobs.join('\0')}`, () => {
      const owned = picomatch([...perFileGlobs], { dot: true });
      return base.files.filter((f) => !owned(f));
    });
  }

  get root(): string {
    return this.base.root;
  }

  get options(): Readonly<GateOptions> {
    return this.base.options;
  }

  get files(): readonly string[] {
    this.fileList ??= [...this.rest, ...this.targets].sort(cmp);
    return this.fileList;
  }

  glob(patterns: string | readonly string[]): string[] {
    return globFiles(this.files, patterns, this.matchers);
  }

  exists(file: string): boolean {
    return this.base.exists(file);
  }

  read(file: string): FileText {
    return this.base.read(file);
  }

  text(file: string): string | undefined {
    return this.base.text(file);
  }

  yaml(file: string): YamlFile | undefined {
    return this.base.yaml(file);
  }

  data(file: string): unknown {
    return this.base.data(file);
  }

  get git(): GitView {
    return this.base.git;
  }

  get policyIds(): readonly string[] {
    return this.base.policyIds;
  }

  openTree(dir: string): Opened {
    return this.base.openTree(dir);
  }

  memo<T>(key: string, compute: () => T): T {
    if (key.startsWith('core/')) return this.base.memo(key, compute);
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }
}
