import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { READ_MESSAGES } from '../../gates/core/read.ts';
import { YAML_MESSAGES } from '../../gates/core/yaml.ts';

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
  // Why a file cannot be read, then what is wrong with its YAML: worded where the file is read and parsed.
  messages: { ...READ_MESSAGES, ...YAML_MESSAGES },
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const file of ctx.glob(YAML_FILES)) {
      const t = ctx.read(file);
      if (!t.ok) {
        const at = { line: t.line ?? 1, column: t.column ?? 1, endLine: t.line ?? 1, endColumn: t.column ?? 1 };
        out.push({ file, ...at, messageId: t.messageId, data: t.data, key: t.code });
        continue;
      }
      const y = ctx.yaml(file);
      for (const p of y?.problems ?? []) {
        const warning = p.level === 'warning';
        out.push({
          file,
          ...p.range,
          doc: p.doc,
          // The runner names the document when the file holds several.
          messageId: p.messageId,
          data: p.data,
          severity: warning ? 'warning' : 'error',
          key: `${p.code}:${p.doc}`,
        });
      }
    }
    return out;
  },
});
