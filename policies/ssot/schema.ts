import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { SchemaSet } from '../../gates/core/schema.ts';
import { SCHEMA_MESSAGES, schemaFindings } from '../../gates/core/schema-messages.ts';
import { governedBy, SSOT_YAML } from './_lib/changes.ts';

/** Every SSOT file passes the JSON Schema that governs it; every error of the file is reported. */
export default definePolicy({
  id: 'ssot/schema',
  title: 'SSOT files pass their JSON Schema',
  severity: 'error',
  appliesTo: ['ssot/**', 'schemas/**'],
  perFile: { files: SSOT_YAML, dependents: governedBy },
  // One message per JSON Schema keyword, and the problems of the schemas, the map and modelines.
  messages: SCHEMA_MESSAGES,
  check(ctx) {
    const schemas = SchemaSet.of(ctx);
    const out: PolicyFinding[] = [];
    for (const file of ctx.glob(['ssot/**/*.yaml', 'ssot/**/*.yml'])) {
      const { choice, problems } = schemas.choose(file);
      out.push(...problems);
      const y = ctx.yaml(file);
      // Unreadable or malformed files are reported by files/yaml-wellformed.
      if (!choice || !y || y.broken) continue;
      y.values.forEach((value, doc) => {
        const errors = schemas.validate(choice.schema, value);
        if (errors) out.push(...schemaFindings(file, errors, doc));
      });
    }
    out.push(...schemas.problems);
    return out;
  },
});
