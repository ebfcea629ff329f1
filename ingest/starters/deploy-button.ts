import { createHash } from 'node:crypto';

/**
 * The GitHub URL of a folder of a repository at a ref, each path segment percent-encoded:
 * `https://github.com/vercel/examples/tree/main/starter/my%20app`.
 */
export function exampleRepositoryUrl(repository: string, ref: string, folder: string): string {
  const segments = folder.split('/').filter(Boolean).map(encodeURIComponent);
  return `https://github.com/${repository}/tree/${ref.split('/').map(encodeURIComponent).join('/')}/${segments.join('/')}`;
}

/**
 * A valid Vercel project name for a folder: its last segment, accents stripped, lower case,
 * letters, digits, `.`, `_` and `-` only, at most 100 characters; a name with nothing left
 * (e.g. only CJK characters) becomes `example-<hash of the path>`.
 */
export function vercelProjectName(folder: string): string {
  const last = folder.split('/').filter(Boolean).at(-1) ?? folder;
  const ascii = last
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 100)
    .replace(/[-._]+$/g, '');
  return ascii || `example-${createHash('sha256').update(folder).digest('hex').slice(0, 8)}`;
}

/**
 * The Deploy Button URL from the SSOT's template
 * (`https://vercel.com/new/clone?repository-url={repository_url}&project-name={slug}&repository-name={slug}`):
 * each placeholder is replaced by its value encoded as a query component, so a URL with `?`,
 * `&`, `#`, spaces or non-ASCII in its path cannot break the query.
 */
export function deployButtonUrl(template: string, values: { repositoryUrl: string; slug: string }): string {
  const map: Record<string, string> = { repository_url: values.repositoryUrl, slug: values.slug };
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => {
    const v = map[key];
    if (v === undefined) throw new Error(`deploy button template has an unknown placeholder ${whole}; known: {repository_url}, {slug}`);
    return encodeURIComponent(v);
  });
}
