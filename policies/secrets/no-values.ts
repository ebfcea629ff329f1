import type { PolicyFinding } from '../../gates/core/finding.ts';
import { REGISTRY_FILE } from '../../gates/core/ssot-files.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import type { RepoContext } from '../../gates/core/repo.ts';
import { classifyAssignment, type Hit, mask, secretAssignments, snake, tokenShapes } from './_lib/detect.ts';

const YAML = /\.ya?ml$/i;
/** Lockfiles hold integrity hashes under no secret names; token shapes are still searched in them. */
const LOCKFILE = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|yarn\.lock|[^/]+\.lock)$/;

/**
 * No secret values in any file the repository tracks: vendor token shapes anywhere in the text,
 * and high-entropy values assigned to names that say secret. Messages name the kind of secret and
 * the registry entry that should hold it, and show at most a masked prefix of the value. In
 * pull-request mode only the lines the change adds are searched.
 */
export default definePolicy({
  id: 'secrets/no-values',
  title: 'No secret values in any tracked file',
  severity: 'error',
  sensitive: true,
  appliesTo: ['**'],
  // Per file: a pull request searches only its changed files, a shard only its own.
  perFile: { files: ['**'] },
  messages: {
    'secret-value':
      '{{kind}} written here (`{{masked}}`, {{length}} characters): rotate it at the provider (it is in the git history now), keep the value only in the stores of `{{entry}}` in ssot/secrets/registry.yaml and reference it by that name',
    'secret-value-unregistered':
      '{{kind}} written here (`{{masked}}`, {{length}} characters): rotate it at the provider (it is in the git history now), register it as `{{entry}}` in ssot/secrets/registry.yaml, keep the value only in the stores named there and reference it by that name',
    'not-scanned': 'this file was not searched for secrets: {{reason}}',
  },
  check(ctx) {
    const registered = registryNames(ctx);
    const { changedFiles: changed, base } = ctx.options;
    const changedSet = changed ? new Set(changed) : undefined;
    const files = changedSet ? ctx.files.filter((f) => changedSet.has(f)) : ctx.files;
    // Pull-request mode: the lines added since the merge base (every line when that cannot be told).
    const since = changed && base !== undefined ? (ctx.git.mergeBase(base) ?? base) : undefined;
    const out: PolicyFinding[] = [];
    for (const file of files) {
      const t = ctx.read(file);
      if (!t.ok) {
        // A changed binary has no added lines to show; it is still said to be unsearched. An
        // unreadable YAML file is already an error of files/yaml-wellformed: not said twice.
        if (t.code !== 'MISSING' && !YAML.test(file))
          out.push({ file, line: 1, column: 1, severity: 'notice', messageId: 'not-scanned', data: { reason: t.message }, key: 'not-scanned' });
        continue;
      }
      const added = since === undefined ? undefined : ctx.git.addedLines(since, file);
      if (added && added.size === 0) continue;
      const seen = new Map<string, number>();
      for (const h of scan(file, t.text)) {
        const range = t.lines.range(h.start, h.end);
        if (added && !added.has(range.line)) continue;
        const value = t.text.slice(h.start, h.end);
        const entry = registryEntry(t.text, h, registered);
        // The key counts occurrences of a kind, so the fingerprint survives edits above it.
        const nth = (seen.get(h.id) ?? 0) + 1;
        seen.set(h.id, nth);
        out.push({
          file,
          ...range,
          messageId: registered.has(entry) ? 'secret-value' : 'secret-value-unregistered',
          data: { kind: h.kind, masked: mask(value, h.shown < 0 ? undefined : h.shown), length: [...value].length, entry },
          key: `${h.id}:${nth}`,
        });
      }
    }
    return out;
  },
});

/** Token shapes, then secret-like assignments not already covered by a token. */
export function scan(file: string, text: string): Hit[] {
  const hits = tokenShapes(text);
  if (LOCKFILE.test(file)) return hits;
  const extra: Hit[] = [];
  for (const a of secretAssignments(text)) {
    if (hits.some((h) => h.start < a.end && a.start < h.end) || extra.some((h) => h.start === a.start)) continue;
    const what = classifyAssignment(a.name, text.slice(a.start, a.end));
    if (!what) continue;
    extra.push({ ...what, entry: snake(a.name), start: a.start, end: a.end, shown: -1 });
  }
  return [...hits, ...extra].sort((a, b) => a.start - b.start);
}

function registryNames(ctx: RepoContext): Set<string> {
  const data = ctx.exists(REGISTRY_FILE) ? ctx.data(REGISTRY_FILE) : undefined;
  const secrets = typeof data === 'object' && data !== null ? (data as { secrets?: unknown }).secrets : undefined;
  return new Set(typeof secrets === 'object' && secrets !== null && !Array.isArray(secrets) ? Object.keys(secrets) : []);
}

/**
 * The registry entry that should hold the value: the name it is assigned to on its line when
 * the registry knows that name (`MAILGUN_SIGNING_KEY=` → `mailgun_signing_key`), else the
 * detector's entry for its kind, else that line name in snake case.
 */
function registryEntry(text: string, h: Hit, registered: ReadonlySet<string>): string {
  const name = nameBefore(text, h.start);
  const fromLine = name ? snake(name) : '';
  if (fromLine && registered.has(fromLine)) return fromLine;
  if (h.entry && registered.has(h.entry)) return h.entry;
  return h.entry || fromLine || h.id.replace(/-/g, '_');
}

/** The identifier assigned on the value's line (`NAME=`, `name:`, `"name": "`), if any. */
function nameBefore(text: string, at: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const before = text.slice(Math.max(lineStart, at - 200), at);
  const m = /([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?::=|=>|[:=])[ \t]*["']?(?:[^\s"':=]*[:/@])*$/.exec(before);
  return m?.[1];
}
