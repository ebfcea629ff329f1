import { frontMatter, headings } from '../../gates/core/markdown.ts';
import type { StartersConfig } from './config.ts';

/** Dependencies that name the framework, most specific first; values are Vercel's framework slugs. */
const FRAMEWORKS: Array<[RegExp, string]> = [
  [/^next$/, 'nextjs'],
  [/^nuxt3?$/, 'nuxtjs'],
  [/^@sveltejs\/kit$/, 'sveltekit'],
  [/^astro$/, 'astro'],
  [/^@remix-run\//, 'remix'],
  [/^@react-router\/dev$/, 'react-router'],
  [/^gatsby$/, 'gatsby'],
  [/^@angular\/core$/, 'angular'],
  [/^(@solidjs\/start|solid-start)$/, 'solidstart'],
  [/^@nestjs\/core$/, 'nestjs'],
  [/^hono$/, 'hono'],
  [/^express$/, 'express'],
  [/^react-scripts$/, 'create-react-app'],
  [/^vue$/, 'vue'],
  [/^svelte$/, 'svelte'],
  [/^vite$/, 'vite'],
];

export function detectFramework(pkg: unknown): string | null {
  if (!pkg || typeof pkg !== 'object') return null;
  const p = pkg as { dependencies?: unknown; devDependencies?: unknown };
  const names = [p.dependencies, p.devDependencies].flatMap((d) => (d && typeof d === 'object' ? Object.keys(d) : []));
  for (const [re, slug] of FRAMEWORKS) if (names.some((n) => re.test(n))) return slug;
  return null;
}

export interface StarterMeta {
  title: string;
  framework: string | null;
  tags: string[];
  /** What could not be read, for the run's events. */
  notes: string[];
}

/** Title, framework and tags of an example from its README (front matter, first heading) and package.json. */
export function readMetadata(folder: string, readme: string | undefined, packageJson: string | undefined, meta: StartersConfig['metadata']): StarterMeta {
  const notes: string[] = [];
  const fm = readme === undefined ? undefined : frontMatter(readme)?.data;
  let pkg: unknown;
  if (packageJson === undefined) notes.push(`${folder}: no package.json; framework from the README only`);
  else {
    try {
      pkg = JSON.parse(packageJson);
    } catch (e) {
      notes.push(`${folder}/package.json is not JSON (${(e as Error).message}); framework from the README only`);
    }
  }
  const fmTitle = fm?.[meta.title];
  const h1 = readme === undefined ? undefined : headings(readme).find((h) => h.level === 1)?.text;
  const folderName = folder.split('/').at(-1) ?? folder;
  const title = (typeof fmTitle === 'string' && fmTitle.trim()) || (h1 && h1.trim()) || folderName;
  const fmFramework = fm?.[meta.framework];
  const framework = detectFramework(pkg) ?? (typeof fmFramework === 'string' && fmFramework.trim() ? fmFramework.trim() : null);
  const tags: string[] = [];
  for (const key of meta.tags) {
    const v = fm?.[key];
    for (const t of Array.isArray(v) ? v : [v]) if (typeof t === 'string' && t.trim() && !tags.includes(t.trim())) tags.push(t.trim());
  }
  return { title, framework, tags, notes };
}
