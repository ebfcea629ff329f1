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
//
// A policy that judges other policies' findings (waivers/unused) needs them to run too: `with=` in
// a block's info string names them, comma-separated (`with=secrets/no-values,parity/smtp-port`).
// They run over the example with the page's policy; only the page's policy's findings count.
//
// A block marked `at=base` is history: the tree (the valid fixture and every `at=base` block) is
// committed in a fresh git repository, that commit is the run's `--base` (the ref `base`), and
// the other blocks are then written over it as the change. A path given at the base and again
// without `at=` is a file the change edits, e.g.
//
//   ```sql path=migrations/20260301120000_create_jobs.sql at=base
//   ```sql path=migrations/20260301120000_create_jobs.sql
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git } from '../core/git.ts';
import type { Policy } from '../core/policy.ts';
import { runGates } from '../core/run.ts';
import { policies } from '../../policies/index.ts';
import { fixtureDir, fixtureOptions, formatFinding } from './fixtures.ts';

export interface DocsFile {
  path: string;
  text: string;
  /** Line of the page (1-based) of the block's opening fence. */
  line: number;
  /** `base`: the file is committed on the base before the change is written. */
  at?: 'base';
}

export interface DocsExample {
  kind: 'bad' | 'good';
  /** Repository path → content, in page order. */
  files: DocsFile[];
  /** The ids of the other policies that run with the page's (`with=`), in page order. */
  with: string[];
}

/** The ref of the base commit of an example with `at=base` blocks. */
export const DOCS_BASE_REF = 'base';

const FENCE = /^(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;
const PATH = /(?:^|\s)path=("[^"]+"|\S+)/;
const WITH = /(?:^|\s)with=(\S+)/;
const AT = /(?:^|\s)at=(\S+)/;

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
    const at = AT.exec(fence[3] ?? '')?.[1];
    if (at !== undefined && at !== 'base') throw new Error(`line ${start}: at=${at} is not known; the only place a block can be put is at=base`);
    if (!current) {
      current = { kind: section, files: [], with: [] };
      out.push(current);
    }
    current.files.push({ path: file, text: `${body.join('\n')}\n`, line: start, ...(at === 'base' ? { at } : {}) });
    for (const id of WITH.exec(fence[3] ?? '')?.[1]?.split(',') ?? []) if (id && !current.with.includes(id)) current.with.push(id);
  }
  return out;
}

/**
 * Runs an example through its policy (and the policies it names `with=`) on a copy of the policy's
 * valid tree; returns the case-form lines of the policy's findings.
 */
export async function runDocsExample(policy: Policy, example: DocsExample): Promise<{ lines: string[]; internalErrors: number }> {
  const others = example.with.map((id) => {
    const p = policies.find((x) => x.id === id);
    if (!p) throw new Error(`the ${example.kind} example of ${policy.id} runs with ${id}, which is not a registered policy`);
    return p;
  });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-docs-example-'));
  const artifactsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gates-docs-artifacts-'));
  try {
    fs.cpSync(path.join(fixtureDir(policy.id), 'valid'), root, { recursive: true });
    const write = (files: readonly DocsFile[]): void => {
      for (const f of files) {
        const abs = path.join(root, f.path);
        fs.mkdirSync(path.dirname(abs), { recursive: true });
        fs.writeFileSync(abs, f.text);
      }
    };
    const onBase = example.files.filter((f) => f.at === 'base');
    let options = fixtureOptions(policy.id);
    if (onBase.length > 0) {
      write(onBase);
      commitBase(root);
      options = { ...options, base: DOCS_BASE_REF };
    }
    write(example.files.filter((f) => f.at !== 'base'));
    const r = await runGates({ root, artifactsDir, policies: [...others, policy], ...options });
    return { lines: r.findings.filter((f) => f.policy === policy.id).map(formatFinding), internalErrors: r.internalErrors };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(artifactsDir, { recursive: true, force: true });
  }
}

/** Commits everything in `root` to a new repository and names the commit {@link DOCS_BASE_REF}. */
function commitBase(root: string): void {
  const steps = [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['-c', 'user.name=docs', '-c', 'user.email=docs@example.invalid', '-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify', '-m', 'base'],
    ['tag', DOCS_BASE_REF],
  ];
  for (const args of steps) {
    if (git(root, args) === undefined) throw new Error(`docs example: git ${args.join(' ')} failed in ${root}`);
  }
}
