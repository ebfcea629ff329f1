// Worker side of the parallel YAML prefetch: reads and parses the files it is sent, chunk by
// chunk, and returns plain data (text, problems, values, line starts) that the main thread
// turns back into cached files.
import { parentPort, workerData } from 'node:worker_threads';
import { readText } from './read.ts';
import type { Prepared } from './prefetch.ts';
import { parseYaml } from './yaml.ts';

const root = (workerData as { root: string }).root;
const port = parentPort;
if (!port) throw new Error('yaml-worker runs as a worker thread');

port.on('message', (files: string[] | null) => {
  if (files === null) {
    port.close();
    return;
  }
  port.postMessage(files.map((file) => prepare(root, file)));
});
port.postMessage([]);

export function prepare(root: string, file: string): Prepared {
  const t = readText(root, file);
  if (!t.ok) return { file, read: t };
  return { file, read: { ok: true, text: t.text }, yaml: parseYaml(file, t.text).parts() };
}
