import { UsageError, type CliIO } from './io.ts';

/** The options of `gates modules status`. */
export interface ModulesArgs {
  env?: string;
  'odoo-url'?: string;
  out?: string;
}

/** `gates modules status --env ENV --odoo-url URL [--out DIR]`: writes module_status_<env>.txt. */
export async function modules(v: ModulesArgs, io: CliIO, rest: string[]): Promise<number> {
  const [sub, ...extra] = rest;
  if (sub !== 'status')
    throw new UsageError(sub ? `unknown modules command \`${sub}\`; expected \`modules status\`` : 'modules needs a command: `modules status`');
  const [unexpected] = extra;
  if (unexpected !== undefined) throw new UsageError(`unexpected argument \`${unexpected}\``);
  const { modulesStatus, ModulesUsageError } = await import('../modules/command.ts');
  try {
    io.stdout(await modulesStatus({ env: v.env, odooUrl: v['odoo-url'], out: v.out, cwd: io.cwd }));
    return 0;
  } catch (e) {
    if (e instanceof ModulesUsageError) throw new UsageError(e.message);
    io.stderr(`gates: modules status: ${(e as Error).message}\n`);
    return 2;
  }
}
