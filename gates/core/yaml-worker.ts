// Worker side of the parallel YAML prefetch: reads and parses the files of each chunk it is
// sent and returns plain data (text, problems, values, line starts) that the main thread turns
// back into cached files.
import { parentPort } from 'node:worker_threads';
import type { ChunkRequest, Prepared } from './prefetch.ts';
import { readText } from './read.ts';
import { parseYaml } from './yaml.ts';

const port = parentPort;
if (!port) throw new Error('yaml-worker runs as a worker thread');

port.on('message', ({ root, files }: ChunkRequest) => {
  port.postMessage(files.map((file) => prepare(root, file)));
});
port.postMessage([]);

function prepare(root: string, file: string): Prepared {
  const t = readText(root, file);
  if (!t.ok) return { file, read: t };
  return { file, read: { ok: true, text: t.text }, yaml: parseYaml(file, t.text).parts() };
}
