// What `gates routes smoke` prints: one line per nav route, each failure in the engine's
// `file:line:col severity message [id]` form (and as a workflow command in GitHub Actions),
// and the build and smoke times.
import { NAV_FILE } from '../core/ssot-files.ts';
import type { RouteCheck, SmokeOutcome } from './routes.ts';

export const SMOKE_ID = 'routes/smoke';

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function chain(r: RouteCheck): string {
  return r.redirects.map((h) => ` → ${h.status} ${h.location}`).join('');
}

export function failureMessage(r: RouteCheck): string {
  const shown = `${r.path}${r.label ? ` (${r.label})` : ''}`;
  const via = r.redirects.length ? `, after redirects${chain(r)},` : '';
  return `nav route ${shown}${via} ${r.detail ?? 'failed'} in the production build — add or fix its page, or correct the nav`;
}

/** Escapes for workflow command data and properties. */
const escData = (s: string): string => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const escProp = (s: string): string => escData(s).replaceAll(':', '%3A').replaceAll(',', '%2C');

export function renderSmoke(outcome: SmokeOutcome, opts: { githubActions: boolean }): { stdout: string; stderr: string; exitCode: number } {
  if (outcome.kind === 'error') return { stdout: '', stderr: `gates: routes smoke: ${outcome.message}\n`, exitCode: 2 };
  if (outcome.kind === 'build-failed') {
    const msg = `next build failed in ${outcome.appDir} (exit ${outcome.exitCode ?? 'none'}, after ${secs(outcome.buildMs)}), so no nav route can be served:\n${outcome.output}`;
    const gh = opts.githubActions ? `::error file=${escProp(NAV_FILE)},line=1,title=${escProp(SMOKE_ID)}::${escData(msg)}\n` : '';
    return { stdout: `${gh}${NAV_FILE}:1:1 error ${msg} [${SMOKE_ID}]\n`, stderr: '', exitCode: 1 };
  }
  const lines: string[] = [];
  const failed = outcome.routes.filter((r) => !r.ok);
  for (const r of outcome.routes) {
    const status = r.status === undefined ? 'no answer' : String(r.status);
    const note = r.ok && r.detail ? ` (${r.detail})` : '';
    lines.push(`${r.ok ? 'ok  ' : 'FAIL'} ${r.path}${chain(r)} ${status}${note} ${r.ms.toFixed(0)} ms`);
  }
  if (failed.length) lines.push('');
  for (const r of failed) {
    const msg = failureMessage(r);
    if (opts.githubActions) {
      lines.push(`::error file=${escProp(NAV_FILE)},line=${r.line},col=${r.column},endColumn=${r.endColumn},title=${escProp(SMOKE_ID)}::${escData(msg)}`);
    }
    lines.push(`${NAV_FILE}:${r.line}:${r.column} error ${msg} [${SMOKE_ID}]`);
  }
  const build = outcome.built ? `built in ${secs(outcome.buildMs ?? 0)}` : 'existing build';
  lines.push('');
  lines.push(
    `${outcome.routes.length - failed.length}/${outcome.routes.length} nav routes answered; ${build}, server ready in ${secs(outcome.startMs)}, routes checked in ${secs(outcome.smokeMs)}`,
  );
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: failed.length ? 1 : 0 };
}
