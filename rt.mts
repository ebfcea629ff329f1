import { Repo } from './gates/core/repo.ts';
import { warmWorkers } from './gates/core/prefetch.ts';
const root = process.argv[2] as string;
const mode = process.argv[3];
if (mode === 'warm') { warmWorkers(); await new Promise((r) => setTimeout(r, 600)); }
const repo = new Repo({ root, artifactsDir: root + '/artifacts', parallel: mode !== 'serial' });
const files = repo.glob(['**/*.yaml']);
const t = performance.now();
if (mode !== 'serial') await repo.prefetchYaml(files); else for (const f of files) repo.yaml(f);
console.log(mode, files.length, (performance.now() - t).toFixed(0), 'ms');
