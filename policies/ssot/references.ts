import path from 'node:path';
import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import type { RepoContext } from '../../gates/core/repo.ts';
import { DID_YOU_MEAN, insteadOf } from '../../gates/core/suggest.ts';
import { CATALOG_FILE, catalogEntries, isRecord, JOBS_FILE, placeOf, providers, runners, SECRET_NAME, secretReferences } from '../_lib/ssot.ts';
import { ssotModelUnaffected } from './_lib/changes.ts';

const MISSING_LINK = '`{{field}}` of integration `{{slug}}` names {{target}}, which does not exist';
const UNKNOWN_RUNNER = 'runner `{{runner}}` of job `{{job}}` is not declared by any provider, integration or source file';

/**
 * References between SSOT files resolve: catalog ↔ integration config files ↔ provider files,
 * jobs ↔ runners, environment and provider files ↔ the names they declare. A broken reference
 * is reported at the reference, with what exists instead.
 */
export default definePolicy({
  id: 'ssot/references',
  title: 'References between SSOT files resolve',
  severity: 'error',
  appliesTo: ['ssot/**'],
  unaffected: ssotModelUnaffected,
  messages: {
    'missing-link-typo': `${MISSING_LINK}${DID_YOU_MEAN}`,
    'missing-link': `${MISSING_LINK} — known SSOT files: {{known}}`,
    'missing-link-none-known': MISSING_LINK,
    'unlisted-secret': 'integration `{{slug}}` does not list secret `{{secret}}` in `secrets`, but its {{field}} uses it at {{place}}; add it',
    'provider-mismatch': 'integration `{{slug}}` has provider `{{provider}}` but its provider_file declares id `{{declared}}` ({{place}}); make them equal',
    'unlinked-file': 'no entry of {{catalog}} links this file; add `{{field}}: {{file}}` to its integration',
    'unknown-runner-typo': `${UNKNOWN_RUNNER}${DID_YOU_MEAN}`,
    'unknown-runner': `${UNKNOWN_RUNNER} — known runners: {{known}}`,
    'unknown-runner-none-known': UNKNOWN_RUNNER,
    'environment-name': 'environment `{{name}}` is declared in {{file}}; the file of an environment is named after it — rename the file or set `name: {{want}}`',
    'provider-folder': 'provider id `{{id}}` differs from its folder ssot/providers/{{folder}}/; make them equal',
  },
  check(ctx) {
    return [...catalogLinks(ctx), ...jobRunners(ctx), ...declaredNames(ctx)];
  },
});

function catalogLinks(ctx: RepoContext): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  const entries = catalogEntries(ctx);
  if (!ctx.exists(CATALOG_FILE)) return out;
  const ssotFiles = ctx.glob(['ssot/**/*.yaml', 'ssot/**/*.yml']);
  const provs = providers(ctx);
  const refs = secretReferences(ctx);
  const linked = new Set<string>();
  for (const e of entries) {
    const at = `/integrations/${e.index}`;
    const links: Array<[string | undefined, string]> = [
      [e.config, 'config'],
      [e.providerFile, 'provider_file'],
    ];
    for (const [target, field] of links) {
      if (target === undefined) continue;
      linked.add(target);
      if (!ctx.exists(target)) {
        out.push({
          file: CATALOG_FILE,
          pointer: `${at}/${field}`,
          key: `${e.slug}:${field}`,
          ...insteadOf('missing-link', target, ssotFiles, { field, slug: e.slug, target }),
        });
        continue;
      }
      // The secrets a linked file uses are secrets the integration needs: the catalog lists them.
      for (const r of refs.filter((x) => x.file === target)) {
        // A reference that is not name-shaped is secrets/references' to report, without its value.
        if (e.secrets.includes(r.name) || !SECRET_NAME.test(r.name)) continue;
        out.push({
          file: CATALOG_FILE,
          pointer: `${at}/secrets`,
          key: `${e.slug}:needs:${r.name}`,
          messageId: 'unlisted-secret',
          data: { slug: e.slug, secret: r.name, field, place: placeOf(ctx, r.file, r.pointer) },
        });
      }
    }
    if (e.providerFile && ctx.exists(e.providerFile)) {
      const p = provs.find((x) => x.file === e.providerFile);
      if (p && p.name !== e.provider) {
        out.push({
          file: CATALOG_FILE,
          pointer: `${at}/provider_file`,
          key: `${e.slug}:provider-id`,
          messageId: 'provider-mismatch',
          data: { slug: e.slug, provider: e.provider ?? '(none)', declared: p.name, place: placeOf(ctx, p.file, p.pointer) },
        });
      }
    }
  }
  // Every integration file and provider file belongs to a catalog entry.
  const own = ctx.glob(['ssot/integrations/*.yaml', 'ssot/integrations/*.yml']).filter((f) => f !== CATALOG_FILE);
  for (const f of [...own, ...provs.map((p) => p.file)]) {
    if (linked.has(f)) continue;
    const field = f.startsWith('ssot/providers/') ? 'provider_file' : 'config';
    out.push({ file: f, line: 1, key: `orphan:${f}`, messageId: 'unlinked-file', data: { catalog: CATALOG_FILE, field, file: f } });
  }
  return out;
}

function jobRunners(ctx: RepoContext): PolicyFinding[] {
  const data = ctx.data(JOBS_FILE);
  const jobs = isRecord(data) ? data.jobs : undefined;
  if (!Array.isArray(jobs)) return [];
  const known = runners(ctx).map((r) => r.name);
  const out: PolicyFinding[] = [];
  jobs.forEach((j, i) => {
    if (!isRecord(j) || typeof j.runner !== 'string' || known.includes(j.runner)) return;
    out.push({
      file: JOBS_FILE,
      pointer: `/jobs/${i}/runner`,
      key: `runner:${String(j.id)}`,
      ...insteadOf('unknown-runner', j.runner, known, { runner: j.runner, job: String(j.id) }),
    });
  });
  return out;
}

/** A file that names itself (environments by file name, providers by folder) says the same name. */
function declaredNames(ctx: RepoContext): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  for (const file of ctx.glob('ssot/environments/*.{yaml,yml}')) {
    const data = ctx.data(file);
    const want = path.posix.basename(file).replace(/\.ya?ml$/, '');
    if (isRecord(data) && typeof data.name === 'string' && data.name !== want) {
      out.push({ file, pointer: '/name', key: 'name', messageId: 'environment-name', data: { name: data.name, file, want } });
    }
  }
  for (const p of providers(ctx)) {
    const folder = path.posix.basename(path.posix.dirname(p.file));
    if (p.name !== folder) {
      out.push({ file: p.file, pointer: p.pointer, key: 'id', messageId: 'provider-folder', data: { id: p.name, folder } });
    }
  }
  return out;
}

