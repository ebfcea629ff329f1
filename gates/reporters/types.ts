import type { AnnotateMode, DiffIndex } from '../github/diff.ts';
import type { GateResult } from '../core/run.ts';

/** Where the checked commit lives on GitHub, for links to lines and docs. */
export interface RepoLinks {
  serverUrl: string;
  /** `owner/name`. */
  repository: string;
  sha: string;
}

export interface ReporterContext {
  /** ANSI colours; only for a terminal. */
  color: boolean;
  /** Set in GitHub Actions (or when known): links to lines become blob URLs. */
  links?: RepoLinks;
  /** The pull request's changes: findings on changed lines come first, and `annotate` filters on them. */
  diff?: DiffIndex;
  /** Which findings become annotations (workflow commands, check run); default `all`. */
  annotate?: AnnotateMode;
  /** Where the complete findings can be read, named when output is capped. */
  fullReport?: string;
  /** Size cap in UTF-8 bytes (markdown; defaults to the 1 MiB step-summary limit). */
  maxBytes?: number;
}

/** A reporter turns a result into text; it never decides what fails. */
export type Reporter = (result: GateResult, ctx: ReporterContext) => string;
