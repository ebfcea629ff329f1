import { cmp } from '../core/finding.ts';

/** The states of `ir_module_module.state` in Odoo. */
export const ODOO_STATES = ['uninstallable', 'uninstalled', 'installed', 'to upgrade', 'to remove', 'to install'] as const;
export type OdooState = (typeof ODOO_STATES)[number];

/** States in which a module's code is loaded in the database. */
export const INSTALLED_STATES: readonly OdooState[] = ['installed', 'to upgrade', 'to remove'];

/** `module_status_<env>.txt`: the status file of an environment. */
export const STATUS_FILE = /^module_status_([a-z][a-z0-9_-]*)\.txt$/;
export const statusFileName = (env: string): string => `module_status_${env}.txt`;
export const ENV_NAME = /^[a-z][a-z0-9_-]*$/;

export interface ModuleStatus {
  name: string;
  state: OdooState;
  /** `latest_version`, or null when Odoo has none (`-` in the file). */
  version: string | null;
}

export interface StatusLine extends ModuleStatus {
  line: number;
}

export interface StatusProblem {
  line: number;
  column: number;
  endColumn: number;
  why: string;
}

const MODULE_NAME = /^[a-z0-9][a-z0-9_]*$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/;

/** One sorted `name state version` line per module; `-` for a module without a version. */
export function formatStatus(modules: readonly ModuleStatus[]): string {
  return [...modules]
    .sort((a, b) => cmp(a.name, b.name))
    .map((m) => `${m.name} ${m.state} ${m.version ?? '-'}\n`)
    .join('');
}

/**
 * Reads a status file: every line `name state version` (the state may be `to upgrade`, two words).
 * A line that is not of that form, a duplicate or an out-of-order module is a problem at its line;
 * blank lines are problems too, since the writer never emits them.
 */
export function parseStatus(text: string): { modules: StatusLine[]; problems: StatusProblem[] } {
  const modules: StatusLine[] = [];
  const problems: StatusProblem[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const seen = new Map<string, number>();
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const whole = { line, column: 1, endColumn: [...s].length + 1 };
    if (s.trim() === '') return problems.push({ ...whole, endColumn: whole.endColumn, why: 'the line is blank' });
    const tokens = s.split(' ');
    if (tokens.some((t) => t === ''))
      return problems.push({ ...whole, why: 'fields are separated by more than one space, or the line starts or ends with a space' });
    if (tokens.length < 3) return problems.push({ ...whole, why: `it has ${tokens.length} field${tokens.length === 1 ? '' : 's'}, not three` });
    const [name = '', ...rest] = tokens;
    const version = rest.pop() as string;
    const state = rest.join(' ');
    if (!MODULE_NAME.test(name))
      return problems.push({ line, column: 1, endColumn: [...name].length + 1, why: `\`${name}\` is not a module's technical name` });
    const stateCol = name.length + 2;
    const known = ODOO_STATES.find((x) => x === state);
    if (!known)
      return problems.push({
        line,
        column: stateCol,
        endColumn: stateCol + [...state].length,
        why: `\`${state}\` is not an Odoo module state (${ODOO_STATES.join(', ')})`,
      });
    const versionCol = stateCol + state.length + 1;
    if (version !== '-' && !VERSION.test(version))
      return problems.push({ line, column: versionCol, endColumn: versionCol + [...version].length, why: `\`${version}\` is not a module version` });
    const first = seen.get(name);
    if (first !== undefined) return problems.push({ line, column: 1, endColumn: name.length + 1, why: `\`${name}\` is listed again (first at line ${first})` });
    const prev = modules.at(-1);
    if (prev && cmp(prev.name, name) > 0)
      return problems.push({
        line,
        column: 1,
        endColumn: name.length + 1,
        why: `\`${name}\` is listed after \`${prev.name}\`, but the lines are sorted by name`,
      });
    seen.set(name, line);
    modules.push({ name, state: known, version: version === '-' ? null : version, line });
    return undefined;
  });
  if (lines.length === 0) problems.push({ line: 1, column: 1, endColumn: 1, why: 'the file lists no module (an Odoo database always has `base` installed)' });
  return { modules, problems };
}

/** Reads `ir_module_module` of an Odoo database (a Postgres URL): the modules whose code is loaded. */
export async function readOdooModules(url: string): Promise<ModuleStatus[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'odooops-gates modules status' });
  client.on('error', () => {});
  await client.connect();
  try {
    const r = await client.query<{ name: string; state: string; latest_version: string | null }>(
      `select name, state, latest_version from ir_module_module where state = any($1::text[]) order by name`,
      [INSTALLED_STATES],
    );
    return r.rows.map((row) => ({ name: row.name, state: row.state as OdooState, version: row.latest_version === '' ? null : row.latest_version }));
  } finally {
    await client.end().catch(() => {});
  }
}
