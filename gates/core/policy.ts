import type { Finding, PolicyFinding, Severity } from './finding.ts';
import type { RepoContext } from './repo.ts';
import type { SuppressionUse } from './waivers.ts';

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
   * Its findings point at secret values: the text they point at is never hashed into their
   * fingerprint (a published fingerprint of a weak password could be confirmed by guessing), so
   * their identity is the finding's `key` alone.
   */
  sensitive?: boolean;
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
  /**
   * A per-file policy: what it reports about a file depends only on that file (and on files its
   * `files` globs do not match, such as schemas). Then a pull-request run checks only the changed
   * files and their `dependents`, and a `--shard K/N` run only its shard's files.
   */
  perFile?: {
    /** The files it checks one by one. */
    files: readonly string[];
    /** In pull-request mode, the further files a change re-checks (e.g. those a changed schema governs). */
    dependents?(ctx: RepoContext, changed: readonly string[]): readonly string[];
  };
  /**
   * A cross-file policy, in pull-request mode: why the change cannot alter its verdict (it then
   * skips with that reason), or undefined when it must run.
   */
  unaffected?(ctx: RepoContext, changed: readonly string[]): string | undefined;
  /**
   * For policies about the run itself (e.g. waivers that matched nothing): runs after every other
   * policy, on their findings; its outcome is added to the check's.
   */
  afterRun?(ctx: RepoContext, run: RunSoFar): PolicyOutcome;
  /**
   * Called at the start of a run in which the policy will check, before any policy runs: starts
   * slow shared work (e.g. the embedded Postgres and the replay) so that it overlaps the other
   * policies. Must not throw or report; what it starts is awaited by the checks that need it.
   */
  warmUp?(ctx: RepoContext): void;
}

/** What an `afterRun` policy sees of the run. */
export interface RunSoFar {
  /** The other policies' findings, with their suppressions. */
  findings: readonly Finding[];
  /** The waivers and inline allows that suppressed something. */
  uses: SuppressionUse;
  /** The policies that ran over the whole repository (not scoped to a change or a shard). */
  ranFully: ReadonlySet<string>;
  /** False in pull-request (`--changed`) and shard runs, where what did not run is unknown. */
  complete: boolean;
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
