import { frontMatter, type FrontMatter } from '../../../gates/core/markdown.ts';
import type { RepoContext } from '../../../gates/core/repo.ts';

export const CONTRACTS_DIR = 'docs/contracts';
export const CONTRACTS_INDEX = `${CONTRACTS_DIR}/README.md`;
export const PARITY_CONTRACT = `${CONTRACTS_DIR}/C-ODOOS-01-parity.md`;
/** The header every contract carries, as YAML front matter. */
export const CONTRACT_KEYS = ['id', 'title', 'status', 'owner'] as const;
export const CONTRACT_STATUSES = ['draft', 'active', 'deprecated'] as const;
export const CONTRACT_ID = /^C-[A-Z]+-\d{2}$/;

export interface Contract {
  file: string;
  header?: FrontMatter;
  id?: string;
}

/** Every contract file (docs/contracts/*.md but the index), with its front matter when it has one. */
export function contracts(ctx: RepoContext): Contract[] {
  return ctx
    .glob(`${CONTRACTS_DIR}/*.md`)
    .filter((f) => f !== CONTRACTS_INDEX)
    .map((file) => {
      const text = ctx.text(file);
      const header = text === undefined ? undefined : frontMatter(text);
      const id = header?.data.id;
      return { file, ...(header ? { header } : {}), ...(typeof id === 'string' ? { id } : {}) };
    });
}
