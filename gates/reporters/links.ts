import type { Finding } from '../core/finding.ts';
import type { RepoLinks } from './types.ts';

/** Percent-encodes each segment of a repo-relative POSIX path for use in a URL. */
export function encodePath(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/** The blob URL of a repo file at the checked commit, or undefined when the repository is unknown. */
export function blobUrl(links: RepoLinks | undefined, file: string): string | undefined {
  if (!links) return undefined;
  return `${links.serverUrl}/${links.repository}/blob/${links.sha}/${encodePath(file)}`;
}

/** The blob URL of a finding's lines (`#L3` or `#L3-L5`). */
export function lineUrl(links: RepoLinks | undefined, f: Pick<Finding, 'file' | 'line' | 'endLine'>): string | undefined {
  const url = blobUrl(links, f.file);
  if (!url) return undefined;
  return f.endLine > f.line ? `${url}#L${f.line}-L${f.endLine}` : `${url}#L${f.line}`;
}
