import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import type { RepoContext } from '../../gates/core/repo.ts';
import { escapeSegment } from '../../gates/core/pointer.ts';
import { CAPABILITIES_FILE, CATALOG_FILE, isRecord, JOBS_FILE, NAV_FILE, OBSERVABILITY_FILE, placeOf, runners, WAVES_FILE, type Named } from '../_lib/ssot.ts';
import { ssotModelUnaffected } from './_lib/changes.ts';

/** A collection whose members must be unique: its message id, what a member is called, how to fix a clash. */
interface Collection {
  messageId: string;
  what: string;
  fix: string;
  members(ctx: RepoContext): Named[];
}

/** `items[].field` of one file, e.g. the slugs of the catalog. */
function listField(file: string, list: string, field: string): (ctx: RepoContext) => Named[] {
  return (ctx) => {
    const data = ctx.data(file);
    const items = isRecord(data) ? data[list] : undefined;
    if (!Array.isArray(items)) return [];
    return items.flatMap((it, i) => {
      const v = isRecord(it) ? it[field] : undefined;
      return typeof v === 'string' || typeof v === 'number' ? [{ name: String(v), file, pointer: `/${list}/${i}/${escapeSegment(field)}` }] : [];
    });
  };
}

const COLLECTIONS: readonly Collection[] = [
  { messageId: 'duplicate-catalog-slug', what: 'catalog slug', fix: 'give each integration its own slug', members: listField(CATALOG_FILE, 'integrations', 'slug') },
  { messageId: 'duplicate-job-id', what: 'job id', fix: 'give each job its own id', members: listField(JOBS_FILE, 'jobs', 'id') },
  { messageId: 'duplicate-capability-id', what: 'capability id', fix: 'list each capability once', members: listField(CAPABILITIES_FILE, 'capabilities', 'id') },
  { messageId: 'duplicate-nav-path', what: 'nav path', fix: 'list each route once', members: listField(NAV_FILE, 'routes', 'path') },
  {
    messageId: 'duplicate-panel-id',
    what: 'metrics panel id',
    fix: 'give each panel its own id',
    members: (ctx) => {
      const data = ctx.data(OBSERVABILITY_FILE);
      const metrics = isRecord(data) ? data.metrics : undefined;
      const panels = isRecord(metrics) ? metrics.panels : undefined;
      if (!Array.isArray(panels)) return [];
      return panels.flatMap((p, i) => (isRecord(p) && typeof p.id === 'string' ? [{ name: p.id, file: OBSERVABILITY_FILE, pointer: `/metrics/panels/${i}/id` }] : []));
    },
  },
  {
    messageId: 'module-in-two-waves',
    what: 'module',
    fix: 'a module belongs to exactly one wave; keep it in the earliest wave that needs it',
    members: (ctx) => {
      const file = WAVES_FILE;
      const data = ctx.data(file);
      const waves = isRecord(data) ? data.waves : undefined;
      if (!Array.isArray(waves)) return [];
      return waves.flatMap((w, wi) => {
        const mods = isRecord(w) ? w.modules : undefined;
        if (!Array.isArray(mods)) return [];
        return mods.flatMap((m, mi) => (isRecord(m) && typeof m.name === 'string' ? [{ name: m.name, file, pointer: `/waves/${wi}/modules/${mi}/name` }] : []));
      });
    },
  },
  { messageId: 'duplicate-wave-number', what: 'wave number', fix: 'number the waves 1 to 4, once each', members: listField(WAVES_FILE, 'waves', 'wave') },
  {
    messageId: 'duplicate-resource',
    what: 'DigitalOcean resource',
    fix: 'ingest each resource once',
    members: (ctx) => ctx.glob('ssot/providers/*/provider.yaml').flatMap((f) => listField(f, 'resources', 'name')(ctx)),
  },
  { messageId: 'duplicate-runner-id', what: 'runner id', fix: 'one file declares each runner; rename one of them', members: runners },
];

/** Ids and slugs that others key on are unique; the second occurrence is reported, naming the first. */
export default definePolicy({
  id: 'ssot/unique-ids',
  title: 'Ids and slugs of the SSOT are unique',
  severity: 'error',
  appliesTo: ['ssot/**'],
  unaffected: ssotModelUnaffected,
  messages: Object.fromEntries(COLLECTIONS.map((c) => [c.messageId, `duplicate ${c.what} \`{{name}}\`; it is first at {{first}} — ${c.fix}`])),
  check(ctx) {
    const out: PolicyFinding[] = [];
    for (const c of COLLECTIONS) {
      const first = new Map<string, Named>();
      const seen = new Map<string, number>();
      for (const m of c.members(ctx)) {
        const prev = first.get(m.name);
        if (!prev) {
          first.set(m.name, m);
          continue;
        }
        const n = (seen.get(m.name) ?? 0) + 1;
        seen.set(m.name, n);
        out.push({
          file: m.file,
          pointer: m.pointer,
          key: `${c.what}:${m.name}:${n}`,
          messageId: c.messageId,
          data: { name: m.name, first: placeOf(ctx, prev.file, prev.pointer) },
        });
      }
    }
    return out;
  },
});
