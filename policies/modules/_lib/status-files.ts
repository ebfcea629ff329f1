import fs from 'node:fs';
import path from 'node:path';
import { cmp } from '../../../gates/core/finding.ts';
import { isInside, toPosix } from '../../../gates/core/paths.ts';
import type { RepoContext } from '../../../gates/core/repo.ts';
import { STATUS_FILE } from '../../../gates/modules/status.ts';

/** The status files of `--module-status DIR`: env and root-relative path, sorted; or why there are none. */
export function statusFiles(ctx: RepoContext): Array<{ env: string; file: string }> | { skipped: string } {
  const dir = ctx.options.moduleStatusDir;
  if (dir === undefined)
    return { skipped: 'no module status to check: run `gates modules status --env ENV --odoo-url URL` and pass its folder with --module-status DIR' };
  const abs = path.resolve(ctx.root, dir);
  if (!isInside(ctx.root, abs)) return { skipped: `--module-status ${dir} is outside the repository root, so findings could not point at its lines` };
  let names: string[];
  try {
    names = fs.readdirSync(abs);
  } catch {
    return { skipped: `--module-status ${dir}: no such folder` };
  }
  const files = names
    .map((n) => STATUS_FILE.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ env: m[1] as string, file: toPosix(path.relative(ctx.root, path.join(abs, m[0]))) }))
    .sort((a, b) => cmp(a.file, b.file));
  if (files.length === 0) return { skipped: `--module-status ${dir} holds no module_status_<env>.txt file` };
  return files;
}
