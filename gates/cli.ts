// The `gates` command. Kept tiny on purpose: it starts the YAML workers first, so they boot
// while the engine and the policies load, then hands over to main.ts.
import { stopWorkers, warmWorkers } from './core/prefetch.ts';

const argv = process.argv.slice(2);
// Only `check` reads files; `list`, `explain` and `--help` start no workers.
if (!['list', 'explain'].includes(argv[0] ?? '') && !argv.includes('--help') && !argv.includes('-h')) warmWorkers();
const { main } = await import('./main.ts');
try {
  process.exitCode = await main(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
  });
} finally {
  await stopWorkers();
}
