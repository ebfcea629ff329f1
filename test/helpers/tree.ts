import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** Writes a throwaway tree of files (text or bytes) under the OS temp folder; returns its path. */
export function makeTree(files: Record<string, string | Uint8Array>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return root;
}

export function removeTree(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

/** A `makeTree` for one test file: every tree it makes is removed after the file's tests. */
export function useTrees(): (files: Record<string, string | Uint8Array>) => string {
  const made: string[] = [];
  afterAll(() => made.forEach(removeTree));
  return (files) => {
    const root = makeTree(files);
    made.push(root);
    return root;
  };
}

/** Empty throwaway folders for one test file (e.g. a cache folder), named `<prefix>…`, removed after its tests. */
export function useTempDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => made.forEach(removeTree));
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
