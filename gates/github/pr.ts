import { git } from '../core/git.ts';
import { parseNameStatus, parseUnifiedDiff, type DiffIndex, type FileChange } from './diff.ts';

/** The history needed for pull-request mode is missing or wrong; the message says what to fetch. */
export class HistoryError extends Error {}

export interface PullRequestChanges {
  /** The commit the change is measured from: `git merge-base BASE HEAD`. */
  mergeBase: string;
  /** Every path the change touches, sorted: added, modified, deleted, and both sides of a rename. */
  changedFiles: string[];
  /** Per new-side path: status and the lines added and shown as context. */
  diff: DiffIndex;
}

const FETCH_HINT = 'fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` on actions/checkout) and run again';

/**
 * The changes of the working tree (committed or not, plus untracked files) against the merge
 * base of `base` and HEAD. A shallow clone or a missing merge base is an error, never a guess.
 */
export function pullRequestChanges(root: string, base: string): PullRequestChanges {
  if (git(root, ['rev-parse', '--is-inside-work-tree'])?.trim() !== 'true') {
    throw new HistoryError(`--changed needs a git work tree; ${root} is not one`);
  }
  if (git(root, ['rev-parse', '--is-shallow-repository'])?.trim() === 'true') {
    throw new HistoryError(`the clone is shallow, so the merge base with ${base} cannot be trusted; ${FETCH_HINT}`);
  }
  const baseSha = git(root, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`])?.trim();
  if (!baseSha)
    throw new HistoryError(`--base ${base} is not a commit in this clone; ${FETCH_HINT} (e.g. \`git fetch origin ${base.replace(/^origin\//, '')}\`)`);
  const mergeBase = git(root, ['merge-base', baseSha, 'HEAD'])?.trim();
  if (!mergeBase) throw new HistoryError(`${base} and HEAD have no merge base in this clone; ${FETCH_HINT}`);

  const nameStatus = git(root, ['-c', 'core.quotePath=false', 'diff', '--name-status', '-z', '-M', '--no-ext-diff', mergeBase, '--']);
  const patch = git(root, ['-c', 'core.quotePath=false', 'diff', '-U3', '-M', '--no-color', '--no-ext-diff', mergeBase, '--']);
  const untracked = git(root, ['ls-files', '-z', '--others', '--exclude-standard']);
  if (nameStatus === undefined || patch === undefined || untracked === undefined) {
    throw new HistoryError(`git diff against ${base} (merge base ${mergeBase.slice(0, 12)}) failed`);
  }
  const changes = parseNameStatus(nameStatus);
  for (const p of untracked.split('\0').filter(Boolean)) {
    changes.push({ status: 'A', path: p, added: new Set(), context: new Set(), wholeFile: true });
  }
  const lines = parseUnifiedDiff(patch);
  const diff = new Map<string, FileChange>();
  for (const c of changes) {
    const l = lines.get(c.path);
    if (l) {
      c.added = l.added;
      c.context = l.context;
    } else if (c.status === 'A' && !c.wholeFile) c.wholeFile = true;
    diff.set(c.path, c);
  }
  const touched = new Set<string>();
  for (const c of changes) {
    touched.add(c.path);
    if (c.from) touched.add(c.from);
  }
  return { mergeBase, changedFiles: [...touched].sort(), diff };
}
