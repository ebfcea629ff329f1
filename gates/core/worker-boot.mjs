// Worker entry: registers the TypeScript loader in the worker thread, then loads the module named
// in workerData (worker threads do not inherit the main thread's loader hooks on Node 20).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
