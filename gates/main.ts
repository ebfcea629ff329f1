import { parseArgs } from 'node:util';
import { policies as allPolicies } from '../policies/index.ts';
import { check, type CheckOptions } from './commands/check.ts';
import { baseline } from './commands/baseline.ts';
import { explain } from './commands/explain.ts';
import { merge } from './commands/merge.ts';
import { UsageError, type CliIO } from './commands/io.ts';
import { list } from './commands/list.ts';
import { modules } from './commands/modules.ts';
import { routes } from './commands/routes.ts';
import type { Policy } from './core/policy.ts';
import { HistoryError } from './github/pr.ts';

export { UsageError, type CliIO } from './commands/io.ts';

const USAGE = `Usage: gates <command> [options]

Commands:
  check              run the gates (default)
  list               print every policy: id, severity, title, docs
  explain <id>       print a policy's docs page
  modules status     write module_status_<env>.txt from an Odoo database:
                     --env ENV --odoo-url URL (a Postgres URL) [--out DIR]
  routes smoke       build the console if it has no build (next build), start it (next start on
                     a free loopback port) and request every route of ssot/console/nav.yaml; a
                     404 or a 5xx fails at the nav line, a redirect is followed and named
  baseline           write the current findings to the baseline file (default
                     gates-baseline.json under the root; --output FILE)
  merge REPORT…      combine the JSON reports of the N shards of a run into one report
                     (takes --root, --format, --artifacts, --github-check, --baseline)

Options for check:
  --root DIR         repository to check (default: the current directory)
  --format F[:FILE]  stylish (default), json, sarif, junit, markdown or github (workflow
                     commands); repeatable, each to stdout or its own FILE
  --only IDS         run only these policies (comma-separated ids or areas, e.g. ssot)
  --skip IDS         skip these policies
  --artifacts DIR    where the artifacts go (default: artifacts/ under the root): gate-report.json,
                     ssot.json, control-plane.json, module-diff-<env>.json (docs/artifacts.md)
  --module-status DIR  folder (inside the root) of module_status_<env>.txt files: checked by
                     modules/outside-waves, compared in module-diff-<env>.json
  --publish          write the run and its findings to the ops schema (ops.advisor_runs,
                     ops.advisor_findings, ops.run_events) of DATABASE_URL or --publish-url
  --publish-url URL  the Postgres to publish to (implies --publish)
  --run-id UUID      the run's id (default: derived from the GitHub workflow run, else random);
                     publishing the same run id twice stores it once
  --base REF         git ref of the pull request's base (default in GitHub Actions: the
                     pull request's base commit from the event payload)
  --changed          pull-request mode: run only the policies the change affects, measured
                     against the merge base of --base and HEAD (needs full history)
  --annotate MODE    which findings become annotations: added (default with --changed),
                     diff_context, file or all (default); the rest stay in the reports
  --github-check     publish a GitHub check run with annotations on the pull request's head
                     (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL);
                     falls back to workflow commands when it cannot be written
  --app-dir PATH     the console's Next.js app, for route coverage
  --timing           print how long each policy took (stderr)
  --baseline FILE    fail only on findings beyond the baseline; the rest are reported as
                     baselined, and entries whose findings are gone are listed
  --prune            with --baseline on a full run: drop the entries that are gone
  --shard K/N        check only shard K of N of the per-file work (cross-file policies run
                     in shard 1); combine the N JSON reports with \`gates merge\`
  --no-cache         use no cache: replay the migrations even when the replay cache
                     (node_modules/.cache/odooops-gates/replay) holds their result, compile
                     the repository's JSON Schemas, parse every file; store nothing
  --no-template      on a Postgres server, replay every migration from the baseline even with
                     --base (by default a pull request's replay copies a template database of
                     its base's migrations, kept on the server, and replays only the new files)

Options for routes smoke:
  --root DIR         repository with ssot/console/nav.yaml (default: the current directory)
  --app-dir PATH     the console's Next.js app, relative to the root (default: app_dir in nav.yaml)
  --rebuild          run next build even when the app has a build

When GITHUB_STEP_SUMMARY is set, the markdown summary is appended to it.
Exit codes: 0 clean, 1 error-level findings, 2 usage, history or internal error. No GitHub
failure changes the exit code.`;

/** Knobs for tests: shorter waits for the check-run client. */
export type CliOptions = CheckOptions;

/** Parses the command line, runs the command and maps every failure to its exit code. */
export async function main(argv: string[], io: CliIO, policies: readonly Policy[] = allPolicies, opts: CliOptions = {}): Promise<number> {
  try {
    return await dispatch(argv, io, policies, opts);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`gates: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof HistoryError) {
      io.stderr(`gates: ${e.message}\n`);
      return 2;
    }
    io.stderr(`gates: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

async function dispatch(argv: string[], io: CliIO, policies: readonly Policy[], opts: CliOptions): Promise<number> {
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
        changed: { type: 'boolean' },
        annotate: { type: 'string' },
        'github-check': { type: 'boolean' },
        timing: { type: 'boolean' },
        'module-status': { type: 'string' },
        publish: { type: 'boolean' },
        'publish-url': { type: 'string' },
        'run-id': { type: 'string' },
        env: { type: 'string' },
        'odoo-url': { type: 'string' },
        out: { type: 'string' },
        rebuild: { type: 'boolean' },
        baseline: { type: 'string' },
        prune: { type: 'boolean' },
        shard: { type: 'string' },
        'no-cache': { type: 'boolean' },
        'no-template': { type: 'boolean' },
        output: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const [command = 'check', ...rest] = positionals;
  switch (command) {
    case 'list':
      return list(io, policies);
    case 'explain':
      return explain(io, policies, rest[0]);
    case 'modules':
      return modules(values, io, rest);
    case 'routes':
      return routes(values, rest, io);
    case 'check':
      if (rest[0] !== undefined) throw new UsageError(`unexpected argument \`${rest[0]}\``);
      for (const o of ['env', 'odoo-url', 'out'] as const)
        if (values[o] !== undefined) throw new UsageError(`--${o} belongs to \`modules status\`, not to check`);
      if (values.output !== undefined) throw new UsageError('--output is an option of `gates baseline`');
      return check(values, io, policies, opts);
    case 'baseline':
      if (rest[0] !== undefined) throw new UsageError(`unexpected argument \`${rest[0]}\``);
      return baseline(values, io, policies);
    case 'merge':
      return merge(rest, values, io, policies, opts);
    default:
      throw new UsageError(`unknown command \`${command}\``);
  }
}
