import os from 'node:os';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { FileText } from './read.ts';
import type { YamlParts } from './yaml.ts';

/** Below this many files one thread is faster than starting workers. */
export const PARALLEL_THRESHOLD = 3000;
const CHUNK = 250;

export interface Prepared {
  file: string;
  read: Exclude<FileText, { ok: true }> | { ok: true; text: string };
  yaml?: YamlParts;
}

/**
 * Reads and parses many YAML files on every core: worker threads and the main thread take
 * chunks from one queue until it is empty. `local` does one file on the main thread; `accept`
 * takes a worker's result.
 */
export async function prefetchParallel(
  root: string,
  files: readonly string[],
  local: (file: string) => void,
  accept: (p: Prepared) => void,
): Promise<void> {
  const queue: string[][] = [];
  for (let i = 0; i < files.length; i += CHUNK) queue.push(files.slice(i, i + CHUNK));
  const threads = Math.max(1, Math.min(3, os.availableParallelism() - 1));
  const workers: Promise<void>[] = [];
  for (let i = 0; i < threads; i++) workers.push(runWorker(root, queue, accept));
  while (queue.length > 0) {
    const chunk = queue.shift() as string[];
    for (const f of chunk) local(f);
    await yieldToEvents();
  }
  await Promise.all(workers);
}

function runWorker(root: string, queue: string[][], accept: (p: Prepared) => void): Promise<void> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { root, module: new URL('./yaml-worker.ts', import.meta.url).href },
    });
    let taken: string[] | undefined;
    worker.on('message', (done: Prepared[]) => {
      for (const p of done) accept(p);
      taken = queue.shift();
      worker.postMessage(taken ?? null);
      if (!taken) resolve();
    });
    // A worker that fails only loses speed: what it did not return is read lazily later.
    worker.on('error', () => resolve());
    worker.on('exit', () => resolve());
  });
}
