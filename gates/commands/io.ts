import { suggest } from '../core/suggest.ts';

/** What a command may touch of the process: its streams, environment and working directory. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  isTTY: boolean;
}

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** A usage error for a name that is not a policy, with the closest id as a suggestion. */
export function unknownPolicy(what: string, name: string, ids: readonly string[]): UsageError {
  return new UsageError(`no ${what} \`${name}\`${suggest(name, ids)}; see \`gates list\``);
}
