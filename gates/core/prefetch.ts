import os from 'node:os';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { FileText } from './read.ts';
import type { YamlParts } from './yaml.ts';

/** Below this many files one thread is faster than handing chunks to workers. */
export const PARALLEL_THRESHOLD = 1000;
const CHUNK = 200;

export interface Prepared {
  file: string;
  read: Exclude<FileText, { ok: true }> | { ok: true; text: string };
  yaml?: YamlParts;
}

export interface ChunkRequest {
  root: string;
  files: string[];
}

interface PoolWorker {
  worker: Worker;
  ready: Promise<boolean>;
}

let warm: PoolWorker[] | undefined;

/**
 * Starts the YAML workers ahead of need (the CLI does this first thing, so they boot while the
 * policies load). A run that never needs them ends them with `stopWorkers`.
 */
export function warmWorkers(): void {
  warm ??= spawn(Math.max(1, Math.min(3, os.availableParallelism() - 1)));
}

export async function stopWorkers(): Promise<void> {
  const pool = warm;
  warm = undefined;
  await Promise.all((pool ?? []).map((p) => p.worker.terminate()));
}

function spawn(n: number): PoolWorker[] {
  return Array.from({ length: n }, () => {
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { module: new URL('./yaml-worker.ts', import.meta.url).href },
    });
    worker.unref();
    // The worker says it is ready with an empty message; a worker that fails to boot is not used.
    const ready = new Promise<boolean>((resolve) => {
      worker.once('message', () => resolve(true));
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
    });
    return { worker, ready };
  });
}

/**
 * Reads and parses many YAML files on every core: the workers and the main thread take chunks
 * from one queue until it is empty. `local` does one file on the main thread; `accept` takes a
 * worker's result. A worker that fails only costs speed: the main thread does the rest.
 */
export async function prefetchParallel(
  root: string,
  files: readonly string[],
  local: (file: string) => void,
  accept: (p: Prepared) => void,
): Promise<void> {
  const queue: string[][] = [];
  for (let i = 0; i < files.length; i += CHUNK) queue.push(files.slice(i, i + CHUNK));
  const pool = warm ?? spawn(Math.max(1, Math.min(3, os.availableParallelism() - 1)));
  warm = undefined;
  // Warm workers are unref'd so an idle pool never holds the process open; while they work, they must.
  for (const p of pool) p.worker.ref();
  const drains = pool.map((p) => drain(p, root, queue, accept));
  while (queue.length > 0) {
    const chunk = queue.shift() as string[];
    for (const f of chunk) local(f);
    await yieldToEvents();
  }
  await Promise.all(drains);
  await Promise.all(pool.map((p) => p.worker.terminate()));
}

async function drain(p: PoolWorker, root: string, queue: string[][], accept: (p: Prepared) => void): Promise<void> {
  if (!(await p.ready)) return;
  for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
    const taken = chunk;
    const done = await ask(p.worker, { root, files: taken });
    if (!done) {
      queue.push(taken);
      return;
    }
    for (const r of done) accept(r);
  }
}

function ask(worker: Worker, req: ChunkRequest): Promise<Prepared[] | undefined> {
  return new Promise((resolve) => {
    const onMessage = (m: Prepared[]) => {
      worker.off('error', onError);
      resolve(m);
    };
    const onError = () => {
      worker.off('message', onMessage);
      resolve(undefined);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(req);
  });
}
