import type { GateResult } from '../core/run.ts';

export interface ReporterContext {
  /** ANSI colours; only for a terminal. */
  color: boolean;
}

/** A reporter turns a result into text; it never decides what fails. */
export type Reporter = (result: GateResult, ctx: ReporterContext) => string;
