import path from 'node:path';
import { writeFileAtomic } from '../core/artifacts.ts';
import { describeUrl } from '../publish/publish.ts';
import { ENV_NAME, formatStatus, readOdooModules, statusFileName } from './status.ts';

export interface ModulesStatusArgs {
  env: string | undefined;
  odooUrl: string | undefined;
  /** Folder of the status file (default: the current directory). */
  out: string | undefined;
  cwd: string;
}

/** A bad command line; the caller prints it with the usage and exits 2. */
export class ModulesUsageError extends Error {}

/**
 * `gates modules status --env ENV --odoo-url URL [--out DIR]`: reads `ir_module_module` of the Odoo
 * database and writes `module_status_<env>.txt` (one sorted `name state version` line per module
 * whose code is loaded). Returns the line to print; throws when the database cannot be read.
 */
export async function modulesStatus(a: ModulesStatusArgs): Promise<string> {
  if (!a.env) throw new ModulesUsageError('modules status needs --env ENV (e.g. prod)');
  if (!ENV_NAME.test(a.env)) throw new ModulesUsageError(`--env ${a.env}: expected a lowercase environment name such as prod, stage or dev`);
  if (!a.odooUrl) throw new ModulesUsageError('modules status needs --odoo-url URL (a Postgres URL of the Odoo database)');
  let modules;
  try {
    modules = await readOdooModules(a.odooUrl);
  } catch (e) {
    const err = e as Error & { code?: string };
    const why = err.code === '42P01' ? 'it has no ir_module_module table: is it an Odoo database?' : err.message || err.code || String(e);
    throw new Error(`cannot read the modules of ${describeUrl(a.odooUrl)}: ${why}`);
  }
  const file = path.resolve(a.cwd, a.out ?? '.', statusFileName(a.env));
  writeFileAtomic(file, formatStatus(modules));
  return `${path.relative(a.cwd, file) || file}: ${modules.length} modules of ${a.env}\n`;
}
