import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { SCHEMA_MAP_FILE, SchemaSet } from '../../gates/core/schema.ts';

/** No SSOT file goes ungoverned: each is YAML and has a schema, from the map or a modeline. */
export default definePolicy({
  id: 'ssot/schema-coverage',
  title: 'Every SSOT file is governed by a schema',
  severity: 'error',
  appliesTo: ['ssot/**', SCHEMA_MAP_FILE],
  perFile: { files: ['ssot/**'], dependents: (ctx, changed) => (changed.some((f) => f === SCHEMA_MAP_FILE || f.startsWith('schemas/')) ? ctx.glob('ssot/**') : []) },
  messages: {
    'not-yaml': 'only YAML files belong under ssot/; move this file to docs/ or give it a .yaml form and a schema',
    'ungoverned': 'no schema governs this SSOT file; add an entry to {{map}} (and .vscode/settings.json) or a `# yaml-language-server: $schema=...` modeline',
  },
  check(ctx) {
    const schemas = SchemaSet.of(ctx);
    const out: PolicyFinding[] = [];
    for (const file of ctx.glob('ssot/**')) {
      if (!/\.ya?ml$/.test(file)) {
        out.push({ file, line: 1, messageId: 'not-yaml' });
        continue;
      }
      if (!schemas.choose(file).choice) {
        out.push({ file, line: 1, messageId: 'ungoverned', data: { map: SCHEMA_MAP_FILE } });
      }
    }
    return out;
  },
});
