import fs from 'node:fs';
import path from 'node:path';
import { cmp, type Finding } from './finding.ts';

/** Bumped with the fingerprint recipe: a baseline of another recipe matches nothing and says so. */
export const BASELINE_VERSION = 2;

/** One file and policy of the baseline: how many findings, by fingerprint. */
export interface BaselineEntry {
  file: string;
  policy: string;
  count: number;
  fingerprints: Record<string, number>;
}

/** The accepted findings of a repository when the gates were turned on; small and reviewable. */
export interface Baseline {
  /** Its name in messages and reports: root-relative when it lies in the repository. Not written. */
  path: string;
  entries: BaselineEntry[];
}

/** The baseline entries of some findings: counted per file and policy, sorted. */
export function baselineOf(findings: readonly Finding[], file: string): Baseline {
  const byKey = new Map<string, BaselineEntry>();
  for (const f of findings) {
    if (f.suppressed) continue;
    const key = `${f.file}\0${f.policy}`;
    let e = byKey.get(key);
    if (!e) {
      e = { file: f.file, policy: f.policy, count: 0, fingerprints: {} };
      byKey.set(key, e);
    }
    e.count++;
    e.fingerprints[f.fingerprint] = (e.fingerprints[f.fingerprint] ?? 0) + 1;
  }
  return { path: file, entries: sortEntries([...byKey.values()]) };
}

function sortEntries(entries: BaselineEntry[]): BaselineEntry[] {
  for (const e of entries) {
    e.fingerprints = Object.fromEntries(Object.entries(e.fingerprints).sort(([a], [b]) => cmp(a, b)));
  }
  return entries.sort((a, b) => cmp(a.file, b.file) || cmp(a.policy, b.policy));
}

/** The file's text: stable key order, one entry per file and policy, a trailing newline. */
export function formatBaseline(b: Baseline): string {
  return `${JSON.stringify({ version: BASELINE_VERSION, entries: b.entries }, null, 2)}\n`;
}

export class BaselineError extends Error {}

/** Reads a baseline file (named `name` in messages); a missing, malformed or other-version file is an error that says what to do. */
export function readBaseline(file: string, name = file): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BaselineError(
      `--baseline ${name}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file; write one with `gates baseline`' : `not JSON (${(e as Error).message})`}`,
    );
  }
  const o = raw as { version?: unknown; entries?: unknown };
  if (o?.version !== BASELINE_VERSION) {
    throw new BaselineError(
      `--baseline ${name}: version ${String(o?.version)}, expected ${BASELINE_VERSION} (the fingerprint recipe changed); write it again with \`gates baseline\``,
    );
  }
  if (!Array.isArray(o.entries)) throw new BaselineError(`--baseline ${name}: \`entries\` must be a list`);
  const entries: BaselineEntry[] = [];
  for (const e of o.entries as Array<Partial<BaselineEntry>>) {
    if (typeof e?.file !== 'string' || typeof e.policy !== 'string' || typeof e.fingerprints !== 'object' || e.fingerprints === null) {
      throw new BaselineError(`--baseline ${name}: every entry needs \`file\`, \`policy\` and \`fingerprints\``);
    }
    const fps: Record<string, number> = {};
    for (const [fp, n] of Object.entries(e.fingerprints)) if (typeof n === 'number' && n > 0) fps[fp] = n;
    entries.push({ file: e.file, policy: e.policy, count: Object.values(fps).reduce((a, b) => a + b, 0), fingerprints: fps });
  }
  return { path: name, entries };
}

export function writeBaseline(file: string, b: Baseline): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, formatBaseline(b));
}

/** A baseline entry whose findings are (partly) gone: `gone` of its count matched nothing. */
export interface StaleEntry {
  file: string;
  policy: string;
  fingerprint: string;
  gone: number;
}

/**
 * Marks unsuppressed findings the baseline holds as baselined (each fingerprint as many times as it
 * is counted); returns the entries whose findings are gone.
 */
export function applyBaseline(b: Baseline, findings: Finding[]): StaleEntry[] {
  const left = new Map<string, number>();
  const key = (file: string, policy: string, fp: string) => `${file}\0${policy}\0${fp}`;
  for (const e of b.entries) for (const [fp, n] of Object.entries(e.fingerprints)) left.set(key(e.file, e.policy, fp), n);
  for (const f of findings) {
    if (f.suppressed) continue;
    const k = key(f.file, f.policy, f.fingerprint);
    const n = left.get(k) ?? 0;
    if (n <= 0) continue;
    left.set(k, n - 1);
    f.suppressed = { kind: 'baseline', justification: `accepted in the baseline ${b.path}; fix it, then prune the baseline`, file: b.path };
  }
  const stale: StaleEntry[] = [];
  for (const e of b.entries) {
    for (const fp of Object.keys(e.fingerprints)) {
      const gone = left.get(key(e.file, e.policy, fp)) ?? 0;
      if (gone > 0) stale.push({ file: e.file, policy: e.policy, fingerprint: fp, gone });
    }
  }
  return stale;
}

/** The baseline without what is gone: counts lowered, empty entries dropped. Never adds. */
export function pruneBaseline(b: Baseline, stale: readonly StaleEntry[]): Baseline {
  const gone = new Map(stale.map((s) => [`${s.file}\0${s.policy}\0${s.fingerprint}`, s.gone]));
  const entries: BaselineEntry[] = [];
  for (const e of b.entries) {
    const fps: Record<string, number> = {};
    for (const [fp, n] of Object.entries(e.fingerprints)) {
      const keep = n - (gone.get(`${e.file}\0${e.policy}\0${fp}`) ?? 0);
      if (keep > 0) fps[fp] = keep;
    }
    const count = Object.values(fps).reduce((a, c) => a + c, 0);
    if (count > 0) entries.push({ file: e.file, policy: e.policy, count, fingerprints: fps });
  }
  return { path: b.path, entries: sortEntries(entries) };
}
