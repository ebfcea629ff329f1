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
   * The policy's messages by id (kebab-case), with `{{name}}` placeholders filled from a
   * finding's `data`, as ESLint's `meta.messages`. Findings name one by `messageId`.
   */
  messages?: Readonly<Record<string, string>>;
  /**
   * Pure: reads the repository through `ctx`, never prints, exits or reads `process.env`.
   * Async only for database or git work.
   */
  check(ctx: RepoContext): PolicyOutcome | Promise<PolicyOutcome>;
}

/**
 * What a check returns: its findings, or that it could not run and why. A skipped policy is shown
 * as skipped with its reason in every report, never as passed.
 */
export type PolicyOutcome = PolicyFinding[] | PolicySkip;

export interface PolicySkip {
  skipped: string;
}

/** The outcome of a check that could not run, e.g. `skip('the replay failed at migrations/x.sql:4')`. */
export function skip(reason: string): PolicySkip {
  return { skipped: reason };
}

export function isSkip(o: unknown): o is PolicySkip {
  return typeof o === 'object' && o !== null && !Array.isArray(o) && typeof (o as PolicySkip).skipped === 'string';
}

/** Fills a message template's `{{name}}` placeholders from `data`; an unknown placeholder is an error. */
export function renderMessage(template: string, data: Readonly<Record<string, unknown>> = {}): string {
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => {
    if (!(name in data)) throw new Error(`the message "${template}" needs data.${name}`);
    const v = data[name];
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

function docsPath(id: string): string {
  return `docs/policies/${id}.md`;
}

/** Declares a policy; fills `docs` from the id. */
export function definePolicy(p: Omit<Policy, 'docs'> & { docs?: string }): Policy {
  return { ...p, docs: p.docs ?? docsPath(p.id) };
}
