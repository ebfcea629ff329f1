import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import type { RepoContext } from '../../gates/core/repo.ts';
import { humanPath } from '../../gates/core/schema-messages.ts';
import type { LineIndex } from '../../gates/core/text.ts';
import { walk } from '../_lib/ssot.ts';
import { type Hit, looksLikeSecretValue, SECRET_KEY, tokenShapes } from './_lib/detect.ts';

const SCANNED = ['ssot/**', 'docs/**', '**/*.yaml', '**/*.yml', '**/*.md', '**/*.markdown'];
const YAML = /\.ya?ml$/;
const FIX = 'remove it, rotate it (it is in the git history now) and reference the secret by its registry name';

/** `name: value`, `NAME=value`, `"name": "value"` in prose and code blocks. */
const ASSIGNMENT = /([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*[:=][ \t]*["']?([^\s"',;}`]+)/g;

/**
 * No secret values in the SSOT, the docs or any YAML or Markdown file: vendor token shapes
 * anywhere in the text, and high-entropy values under keys named like secrets. Messages name the
 * kind and the place, never the value.
 */
export default definePolicy({
  id: 'secrets/no-values',
  title: 'No secret values in the SSOT, docs or other YAML and Markdown',
  severity: 'error',
  appliesTo: SCANNED,
  perFile: { files: SCANNED },
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const file of ctx.glob(SCANNED)) {
      const t = ctx.read(file);
      if (!t.ok) continue;
      // One pass over the whole text per shape: most files hold none, and positions come from the line index.
      const shapes = tokenShapes(t.text);
      const seen = new Map<string, number>();
      for (const h of shapes) {
        const range = t.lines.range(h.start, h.end);
        // The key counts occurrences of a kind, so the fingerprint survives edits above it.
        const nth = (seen.get(h.kind) ?? 0) + 1;
        seen.set(h.kind, nth);
        out.push({ file, ...range, key: `${h.kind}:${nth}`, message: `${article(h.kind)} ${h.kind} is written in this file at line ${range.line}; ${FIX}` });
      }
      if (YAML.test(file)) out.push(...yamlValues(ctx, file));
      else out.push(...assignments(file, t.text, t.lines, shapes));
    }
    return out;
  },
});

function yamlValues(ctx: RepoContext, file: string): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  const y = ctx.yaml(file);
  y?.values.forEach((value, doc) => {
    walk(value, ({ pointer, key, parent, value: v }) => {
      const name = secretName(key, parent);
      if (name === undefined || typeof v !== 'string') return;
      if (tokenShapes(v).length > 0 || !looksLikeSecretValue(v)) return;
      out.push({
        file,
        pointer,
        doc,
        key: `entropy:${doc}:${pointer}`,
        message: `\`${humanPath(pointer)}\` holds a high-entropy value under a secret-like name (\`${name}\`), which looks like a real secret; ${FIX}`,
      });
    });
  });
  return out;
}

/**
 * The secret-like name a value is stored under: its own key, or for name/value pairs such as
 * `{key: GITHUB_TOKEN, value: …}` (DigitalOcean app specs, Kubernetes env) the pair's name.
 */
function secretName(key: string | undefined, parent: Record<string, unknown> | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (SECRET_KEY.test(key)) return key;
  if (key !== 'value' || !parent) return undefined;
  const pairName = parent.key ?? parent.name;
  return typeof pairName === 'string' && SECRET_KEY.test(pairName) ? pairName : undefined;
}

function assignments(file: string, text: string, lines: LineIndex, shapes: readonly Hit[]): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  const seen = new Map<string, number>();
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m; m = ASSIGNMENT.exec(text)) {
    const [whole, name = '', value = ''] = m;
    if (!SECRET_KEY.test(name) || !looksLikeSecretValue(value)) continue;
    const start = m.index + whole.lastIndexOf(value);
    const end = start + value.length;
    // A token shape already reported covers this value.
    if (shapes.some((h) => h.start < end && start < h.end)) continue;
    const range = lines.range(start, end);
    const nth = (seen.get(name) ?? 0) + 1;
    seen.set(name, nth);
    out.push({
      file,
      ...range,
      key: `entropy:${name}:${nth}`,
      message: `\`${name}\` is set to a high-entropy value at line ${range.line}, which looks like a real secret; ${FIX}`,
    });
  }
  return out;
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}
