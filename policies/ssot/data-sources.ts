import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy } from '../../gates/core/policy.ts';
import { DID_YOU_MEAN, insteadOf } from '../../gates/core/suggest.ts';
import { allSsotWhen, SSOT_YAML } from './_lib/changes.ts';
import { opsRelations } from './_lib/migrations.ts';
import { ssotDocs, walk } from '../_lib/ssot.ts';

const OPS_TABLE = /^ops\.[a-z_][a-z0-9_]*$/;
const UNKNOWN = '`{{table}}` is not a table or view that the migrations create';
const UNKNOWN_FIX = ' — fix the name or add the migration that creates it';

/**
 * Every `ops.<table>` the SSOT names (capability data sources, ingest targets, the mail catcher
 * table, metrics panels …) is a table or view that the migrations create. Skipped when the
 * repository has no migrations.
 */
export default definePolicy({
  id: 'ssot/data-sources',
  title: 'ops tables named in the SSOT exist in the migrations',
  severity: 'error',
  appliesTo: ['ssot/**', 'migrations/**'],
  perFile: { files: SSOT_YAML, dependents: allSsotWhen(['migrations/**']) },
  messages: {
    'unknown-table-typo': `${UNKNOWN}${DID_YOU_MEAN}${UNKNOWN_FIX}`,
    'unknown-table': `${UNKNOWN} — known ops tables and views: {{known}}${UNKNOWN_FIX}`,
    'unknown-table-none-known': `${UNKNOWN}${UNKNOWN_FIX}`,
    'dropped-table': '`{{table}}` is dropped by {{migration}}; point this at the table that replaces it or stop dropping it',
  },
  check(ctx) {
    const relations = opsRelations(ctx);
    if (!relations) return [];
    const known = [...relations.live].sort();
    const out: PolicyFinding[] = [];
    for (const { file, data } of ssotDocs(ctx)) {
      walk(data, ({ pointer, value }) => {
        if (typeof value !== 'string' || !OPS_TABLE.test(value) || relations.live.has(value)) return;
        const droppedBy = relations.dropped.get(value);
        out.push({
          file,
          pointer,
          key: `${pointer}:${value}`,
          ...(droppedBy
            ? { messageId: 'dropped-table', data: { table: value, migration: droppedBy } }
            : insteadOf('unknown-table', value, known, { table: value })),
        });
      });
    }
    return out;
  },
});
