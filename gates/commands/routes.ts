import fs from 'node:fs';
import path from 'node:path';
import { UsageError, type CliIO } from './io.ts';

export interface RoutesValues {
  root?: string | undefined;
  'app-dir'?: string | undefined;
  rebuild?: boolean | undefined;
}

/** `gates routes smoke`: every nav route against the console's production build. */
export async function routes(values: RoutesValues, rest: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...extra] = rest;
  if (sub !== 'smoke') throw new UsageError(sub === undefined ? 'routes needs a subcommand: smoke' : `unknown routes subcommand \`${sub}\`; expected smoke`);
  const [unexpected] = extra;
  if (unexpected !== undefined) throw new UsageError(`unexpected argument \`${unexpected}\``);
  const root = path.resolve(io.cwd, values.root ?? '.');
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`--root ${values.root ?? '.'}: no such directory`);
  const { smokeRoutes } = await import('../smoke/routes.ts');
  const { renderSmoke } = await import('../smoke/report.ts');
  const outcome = await smokeRoutes({
    root,
    appDir: values['app-dir'],
    rebuild: Boolean(values.rebuild),
    env: io.env,
    log: (line) => io.stderr(`gates: routes smoke: ${line}\n`),
  });
  const out = renderSmoke(outcome, { githubActions: io.env.GITHUB_ACTIONS === 'true' });
  io.stdout(out.stdout);
  io.stderr(out.stderr);
  return out.exitCode;
}
