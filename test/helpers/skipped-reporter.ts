import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Lists every test skipped with a reason (`ctx.skip(reason)`) at the end of the run, so a test that
 * did not run is never mistaken for one that passed.
 */
export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows: string[] = [];
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === 'skipped' && r.note) rows.push(`  ↓ ${path.relative(process.cwd(), m.moduleId)} > ${t.fullName}: ${r.note}`);
      }
    }
    if (rows.length > 0) process.stdout.write(`\nSkipped, with their reasons (${rows.length}):\n${rows.join('\n')}\n`);
  }
}
