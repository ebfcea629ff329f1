import type { Severity, Suppression } from '../core/finding.ts';
import { couldNotRun } from '../core/run.ts';
import type { Reporter } from './types.ts';
import { findingText, groupBy, plural } from './util.ts';

const codes = { red: 31, yellow: 33, blue: 34, dim: 2, bold: 1, underline: 4, green: 32 } as const;

/** The ESLint-like terminal view: findings grouped by file, then a total. */
export const stylish: Reporter = (result, { color }) => {
  const paint = (c: keyof typeof codes, s: string) => (color ? `\x1b[${codes[c]}m${s}\x1b[0m` : s);
  const sevColor: Record<Severity, keyof typeof codes> = { error: 'red', warning: 'yellow', notice: 'blue' };
  const byFile = groupBy(result.findings, (f) => f.file);
  const lines: string[] = [];
  for (const [file, fs] of byFile) {
    lines.push('', paint('underline', file));
    const posW = Math.max(...fs.map((f) => `${f.line}:${f.column}`.length));
    const sevW = Math.max(...fs.map((f) => f.severity.length));
    for (const f of fs) {
      const pos = `${f.line}:${f.column}`.padEnd(posW);
      if (f.suppressed) {
        lines.push(
          `  ${paint('dim', pos)}  ${paint('dim', f.severity.padEnd(sevW))}  ${paint('dim', `${findingText(f)}  ${f.policy}`)}  ${paint('green', suppressedBy(f.suppressed))}`,
        );
        continue;
      }
      const sev = paint(sevColor[f.severity], f.severity.padEnd(sevW));
      lines.push(`  ${paint('dim', pos)}  ${sev}  ${findingText(f)}  ${paint('dim', f.policy)}`);
    }
  }
  const { errors, warnings, notices } = result.summary;
  const total = errors + warnings + notices;
  const ran = result.policies.filter((p) => p.status !== 'skipped').length;
  const suppressed = result.summary.suppressed ? `, ${result.summary.suppressed} suppressed` : '';
  // What could not run is said before the verdict, so a clean run never hides it.
  const notRun = couldNotRun(result);
  if (notRun.length > 0) {
    lines.push(
      '',
      paint(
        'yellow',
        `⊘ ${plural(notRun.length, 'policy')} skipped: ${notRun.length === 1 ? 'it' : 'they'} could not run, so ${notRun.length === 1 ? 'it has' : 'they have'} not passed`,
      ),
    );
    for (const p of notRun) lines.push(`  ${paint('dim', p.id)}  ${p.reason}`);
  }
  const tail = `${plural(ran, 'policy')} ran${notRun.length ? `, ${notRun.length} skipped` : ''}${suppressed}`;
  if (total === 0) {
    lines.push(notRun.length ? paint('yellow', `⊘ no problems found, but not every policy ran (${tail})`) : paint('green', `✔ no problems (${tail})`));
  } else {
    const head = `${errors > 0 ? '✖' : '⚠'} ${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(notices, 'notice')}${notRun.length ? '' : suppressed})`;
    lines.push('', paint('bold', paint(errors > 0 ? 'red' : 'yellow', notRun.length ? `${head} — ${tail}` : head)));
  }
  if (result.internalErrors > 0) {
    lines.push(paint('red', `${plural(result.internalErrors, 'policy')} crashed; the run exits 2`));
  }
  return `${lines.join('\n').replace(/^\n/, '')}\n`;
};

/** `suppressed by waiver ssot/waivers.yaml:12 (owner, until …): reason`. */
export function suppressedBy(s: Suppression): string {
  const where = s.line !== undefined ? `${s.file}:${s.line}` : s.file;
  const who = [s.owner, s.expires && `until ${s.expires}`].filter(Boolean).join(', ');
  return `suppressed by ${s.kind === 'inline' ? 'gates-allow' : s.kind} ${where}${who ? ` (${who})` : ''}: ${s.justification}`;
}
