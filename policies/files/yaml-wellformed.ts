import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';

const YAML_FILES = ['**/*.yaml', '**/*.yml'];

/**
 * Every YAML file must be readable and well-formed. Other policies skip a file this one reports,
 * so a broken file is reported once, here, at the exact place.
 */
export default definePolicy({
  id: 'files/yaml-wellformed',
  title: 'YAML files are readable and well-formed',
  severity: 'error',
  appliesTo: YAML_FILES,
  perFile: { files: YAML_FILES },
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const file of ctx.glob(YAML_FILES)) {
      const t = ctx.read(file);
      if (!t.ok) {
        out.push({ file, line: t.line ?? 1, column: t.column ?? 1, endLine: t.line ?? 1, endColumn: t.column ?? 1, message: t.message, key: t.code });
        continue;
      }
      const y = ctx.yaml(file);
      for (const p of y?.problems ?? []) {
        const warning = p.level === 'warning';
        out.push({
          file,
          ...p.range,
          doc: p.doc,
          message: y && y.docCount > 1 ? `${p.message} (document ${p.doc + 1})` : p.message,
          severity: warning ? 'warning' : 'error',
          key: `${p.code}:${p.doc}`,
        });
      }
    }
    return out;
  },
});
