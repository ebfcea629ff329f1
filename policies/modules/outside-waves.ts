import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { INSTALLED_STATES, parseStatus } from '../../gates/modules/status.ts';
import { WAVES_FILE } from '../../gates/core/ssot-files.ts';
import { readWaves } from '../../gates/modules/waves.ts';
import { statusFiles } from './_lib/status-files.ts';

/** The environment where a module outside the waves fails the run; elsewhere it is a warning. */
const STRICT_ENV = 'prod';

/**
 * Every module installed in an environment (its `module_status_<env>.txt`, written by
 * `gates modules status`) is in a wave of ssot/modules/waves.yaml or one of its core modules:
 * an error on prod, a warning on stage and dev. A malformed status file is an error at its line.
 */
export default definePolicy({
  id: 'modules/outside-waves',
  title: 'Installed Odoo modules are in a wave or the core list',
  severity: 'error',
  appliesTo: [WAVES_FILE, '**/module_status_*.txt'],
  messages: {
    'outside-waves':
      '`{{module}}` is installed on {{env}} ({{state}}, version {{version}}) but is in no wave of ' +
      `${WAVES_FILE} and not in its core_modules — add it to a wave with its OCA repository, or uninstall it from {{env}}`,
    malformed:
      'this line of the {{env}} module status is not `name state version`: {{why}} — regenerate the file with `gates modules status --env {{env}} --odoo-url URL`',
  },
  check(ctx) {
    const files = statusFiles(ctx);
    if ('skipped' in files) return skip(files.skipped);
    const waves = readWaves(ctx);
    if ('missing' in waves) return skip(`the waves cannot be read: ${waves.missing}`);
    const out: PolicyFinding[] = [];
    for (const { env, file } of files) {
      const t = ctx.read(file);
      if (!t.ok) {
        out.push({ file, line: 1, column: 1, messageId: 'malformed', data: { env, why: `the file cannot be read: ${t.message}` }, key: 'unreadable' });
        continue;
      }
      const { modules, problems } = parseStatus(t.text);
      for (const p of problems) {
        out.push({
          file,
          line: p.line,
          column: p.column,
          endLine: p.line,
          endColumn: p.endColumn,
          messageId: 'malformed',
          data: { env, why: p.why },
          key: `malformed:${p.why}`,
        });
      }
      for (const m of modules) {
        if (!INSTALLED_STATES.includes(m.state) || waves.byName.has(m.name) || waves.core.has(m.name)) continue;
        out.push({
          file,
          line: m.line,
          column: 1,
          endLine: m.line,
          endColumn: m.name.length + 1,
          severity: env === STRICT_ENV ? 'error' : 'warning',
          messageId: 'outside-waves',
          data: { module: m.name, env, state: m.state, version: m.version ?? 'none' },
          key: `outside:${m.name}`,
        });
      }
    }
    return out;
  },
});
