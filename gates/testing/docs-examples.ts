// The runnable examples of a policy's docs page. Under `## Bad` and `## Good`, a fenced block whose
// info string names a repository path is a file of the example (as typescript-eslint's docs mark
// their checked snippets), e.g.
//
//   ```yaml path=ssot/jobs.yaml
//   jobs: …
//   ```
//
// All such blocks of one section form one example: they are written over a copy of the policy's
// valid fixture tree, and the policy must report something on the Bad example and nothing on the
// Good one. Blocks without `path=` are illustration only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Policy } from '../core/policy.ts';
import { fixtureDir, fixtureOptions, runPolicyOn } from './fixtures.ts';

export interface DocsExample {
  kind: 'bad' | 'good';
  /** Repository path → content, in page order. */
  files: Array<{ path: string; text: string; line: number }>;
}

const FENCE = /^(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;
const PATH = /(?:^|\s)path=("[^"]+"|\S+)/;

/** The Bad and Good examples of a docs page (an example with no `path=` block is left out). */
export function docsExamples(markdown: string): DocsExample[] {
  const lines = markdown.split('\n');
  const out: DocsExample[] = [];
  let section: 'bad' | 'good' | undefined;
  let current: DocsExample | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heading = /^##\s+(.*?)\s*$/.exec(line);
    if (heading) {
      const name = (heading[1] ?? '').toLowerCase();
      section = name === 'bad' ? 'bad' : name === 'good' ? 'good' : undefined;
      current = undefined;
      continue;
    }
    const fence = FENCE.exec(line);
    if (!fence) continue;
    const close = fence[1] as string;
    const body: string[] = [];
    const start = i + 1;
    for (i++; i < lines.length && !(lines[i] as string).startsWith(close); i++) body.push(lines[i] as string);
    const file = PATH.exec(fence[3] ?? '')?.[1]?.replace(/^"|"$/g, '');
    if (!section || file === undefined) continue;
    if (!current) {
      current = { kind: section, files: [] };
      out.push(current);
    }
    current.files.push({ path: file, text: `${body.join('\n')}\n`, line: start });
  }
  return out;
}

/** Runs an example through its policy on a copy of the policy's valid tree; returns the case-form lines. */
export async function runDocsExample(policy: Policy, example: DocsExample): Promise<{ lines: string[]; internalErrors: number }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-docs-example-'));
  try {
    fs.cpSync(path.join(fixtureDir(policy.id), 'valid'), root, { recursive: true });
    for (const f of example.files) {
      const abs = path.join(root, f.path);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, f.text);
    }
    const r = await runPolicyOn(policy, root, fixtureOptions(policy.id));
    return { lines: r.caseLines, internalErrors: r.internalErrors };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
