import type { PolicyFinding, Severity } from './finding.ts';
import type { RepoContext } from './repo.ts';

/**
 * A policy: data plus one check. `id` is `area/kebab-name` and equals the module's path under
 * `policies/` (without `.ts`); it is stable forever because fingerprints, waivers and docs key on it.
 */
export interface Policy {
  id: string;
  title: string;
  severity: Severity;
  /** Repo-relative path of the docs page, `docs/policies/<id>.md`. */
  docs: string;
  /** picomatch globs: a change to a matching file makes the policy run in `--changed` mode. */
  appliesTo: readonly string[];
  /**
   * Pure: reads the repository through `ctx`, never prints, exits or reads `process.env`.
   * Async only for database or git work.
   */
  check(ctx: RepoContext): PolicyFinding[] | Promise<PolicyFinding[]>;
}

export function docsPath(id: string): string {
  return `docs/policies/${id}.md`;
}

/** Declares a policy; fills `docs` from the id. */
export function definePolicy(p: Omit<Policy, 'docs'> & { docs?: string }): Policy {
  return { ...p, docs: p.docs ?? docsPath(p.id) };
}
