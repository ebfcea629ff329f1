import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { policies as allPolicies } from '../policies/index.ts';
import { ENGINE_DIR, writeArtifact } from './core/artifacts.ts';
import type { Policy } from './core/policy.ts';
import { exitCode, runGates, type GateResult } from './core/run.ts';
import { closest } from './core/schema.ts';
import { toJsonReport } from './reporters/json.ts';
import { reporters } from './reporters/index.ts';

const USAGE = `Usage: gates <command> [options]

Commands:
  check              run the gates (default)
  list               print every policy: id, severity, title, docs
  explain <id>       print a policy's docs page

Options for check:
  --root DIR         repository to check (default: the current directory)
  --format F[:FILE]  stylish (default) or json; repeatable, each to stdout or FILE
  --only IDS         run only these policies (comma-separated ids or areas, e.g. ssot)
  --skip IDS         skip these policies
  --artifacts DIR    where gate-report.json goes (default: artifacts/ under the root)
  --base REF         git ref of the pull request's base, for history policies
  --app-dir PATH     the console's Next.js app, for route coverage
  --timing           print how long each policy took (stderr)

Exit codes: 0 clean, 1 error-level findings, 2 usage or internal error.`;

export class UsageError extends Error {}

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  isTTY: boolean;
}

export async function main(argv: string[], io: CliIO, policies: readonly Policy[] = allPolicies): Promise<number> {
  try {
    return await dispatch(argv, io, policies);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`gates: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`gates: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

async function dispatch(argv: string[], io: CliIO, policies: readonly Policy[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        root: { type: 'string' },
        format: { type: 'string', multiple: true },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        artifacts: { type: 'string' },
        base: { type: 'string' },
        'app-dir': { type: 'string' },
        timing: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const [command = 'check', ...rest] = positionals;
  if (command === 'list') return list(io, policies);
  if (command === 'explain') return explain(io, policies, rest[0]);
  if (command !== 'check') throw new UsageError(`unknown command \`${command}\``);
  if (rest.length) throw new UsageError(`unexpected argument \`${rest[0]}\``);

  const root = path.resolve(io.cwd, v.root ?? '.');
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`--root ${v.root}: no such directory`);
  const outputs = (v.format?.length ? v.format : ['stylish']).map(parseFormat);
  const selected = select(policies, v.only, v.skip);
  const artifactsDir = path.resolve(root, v.artifacts ?? 'artifacts');
  const result = await runGates({
    root,
    artifactsDir,
    policies: selected,
    ...(v.base !== undefined ? { base: v.base } : {}),
    ...(v['app-dir'] !== undefined ? { appDir: v['app-dir'] } : {}),
    ...(io.env.DATABASE_URL ? { databaseUrl: io.env.DATABASE_URL } : {}),
  });
  writeArtifact(artifactsDir, 'gate-report', toJsonReport(result));
  emit(result, outputs, io);
  if (v.timing) io.stderr(timing(result));
  return exitCode(result);
}

function parseFormat(spec: string): { name: string; file?: string } {
  const i = spec.indexOf(':');
  const name = i === -1 ? spec : spec.slice(0, i);
  const file = i === -1 ? undefined : spec.slice(i + 1);
  if (!(name in reporters)) {
    throw new UsageError(`unknown format \`${name}\`; formats: ${Object.keys(reporters).join(', ')}`);
  }
  if (file === '') throw new UsageError(`--format ${spec}: the file after \`:\` is empty`);
  return file === undefined ? { name } : { name, file };
}

function emit(result: GateResult, outputs: Array<{ name: string; file?: string }>, io: CliIO): void {
  for (const o of outputs) {
    const reporter = reporters[o.name];
    if (!reporter) continue;
    const color = !o.file && io.isTTY && !io.env.NO_COLOR;
    const text = reporter(result, { color });
    if (o.file) {
      const file = path.resolve(io.cwd, o.file);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    } else io.stdout(text);
  }
}

/** Resolves --only/--skip lists (ids or areas); an unknown name is a usage error, never a silent no-op. */
function select(policies: readonly Policy[], only?: string[], skip?: string[]): Policy[] {
  const names = (lists?: string[]) => (lists ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const matches = (p: Policy, n: string) => p.id === n || p.id.startsWith(`${n.replace(/\/?\*?$/, '')}/`);
  const check = (n: string) => {
    if (!policies.some((p) => matches(p, n))) {
      const guess = closest(n, policies.map((p) => p.id));
      throw new UsageError(`no policy or area \`${n}\`${guess ? ` — did you mean \`${guess}\`?` : ''}; see \`gates list\``);
    }
  };
  const o = names(only);
  const s = names(skip);
  o.forEach(check);
  s.forEach(check);
  return policies.filter((p) => (o.length === 0 || o.some((n) => matches(p, n))) && !s.some((n) => matches(p, n)));
}

function list(io: CliIO, policies: readonly Policy[]): number {
  const w = Math.max(...policies.map((p) => p.id.length));
  for (const p of policies) io.stdout(`${p.id.padEnd(w)}  ${p.severity.padEnd(7)}  ${p.title}  (${p.docs})\n`);
  return 0;
}

function explain(io: CliIO, policies: readonly Policy[], id: string | undefined): number {
  if (!id) throw new UsageError('explain needs a policy id');
  const p = policies.find((x) => x.id === id);
  if (!p) {
    const guess = closest(id, policies.map((x) => x.id));
    throw new UsageError(`no policy \`${id}\`${guess ? ` — did you mean \`${guess}\`?` : ''}; see \`gates list\``);
  }
  const file = path.join(ENGINE_DIR, p.docs);
  if (!fs.existsSync(file)) throw new Error(`policy ${id} has no docs page at ${p.docs}`);
  io.stdout(`${p.id} (${p.severity}): ${p.title}\n\n${fs.readFileSync(file, 'utf8')}`);
  return 0;
}

function timing(result: GateResult): string {
  const rows = [...result.policies].sort((a, b) => b.durationMs - a.durationMs);
  const w = Math.max(...rows.map((r) => r.id.length), 6);
  const lines = rows.map((r) => `${r.id.padEnd(w)}  ${r.status === 'skipped' ? 'skipped' : `${r.durationMs.toFixed(1)} ms`}`);
  return `${'policy'.padEnd(w)}  time\n${lines.join('\n')}\ntotal ${result.durationMs} ms\n`;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('gates/cli.ts')) {
  const code = await main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
  });
  process.exitCode = code;
}
