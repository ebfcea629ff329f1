import type { PolicyFinding } from '../../gates/core/finding.ts';
import { definePolicy, skip } from '../../gates/core/policy.ts';
import { MIGRATIONS_DIR } from '../../gates/db/migrations.ts';
import { PLATFORM_FILE } from '../../gates/core/ssot-files.ts';
import { lineOf, replay } from '../../gates/db/replay.ts';

/**
 * Every migration applies, in version order, each file as one transaction, on a fresh database
 * with the Supabase baseline, parsed with the target platform's Postgres major. Says once when the
 * engine's major differs from the target's, and where an extension was replayed as a stub.
 */
export default definePolicy({
  id: 'migrations/replay',
  title: 'Migrations replay cleanly on a fresh database',
  severity: 'error',
  appliesTo: [`${MIGRATIONS_DIR}/*.sql`, PLATFORM_FILE],
  messages: {
    fails: 'migration fails on {{engine}}: {{message}}{{sqlstate}}; the file is rolled back and later migrations are not replayed — fix this statement',
    'no-database': '{{message}} — set DATABASE_URL to a reachable server (or unset it for PGlite)',
    'engine-major':
      'the replay ran on Postgres {{engine}} ({{name}}) but the platform runs Postgres {{target}}: built-in functions, catalog behaviour and error checks added after {{target}} that the gates do not know can pass here and fail on the platform — replay on a Postgres {{target}} server (DATABASE_URL, e.g. the supabase/postgres image) to rule that out',
    stub: '{{message}} — what the migration does with it is not verified by this replay',
  },
  // The replay (a cache lookup, else the embedded Postgres's start in its worker thread) begins
  // with the run, in parallel with the policies before this one; the check awaits the same result.
  warmUp(ctx) {
    replay(ctx).catch(() => undefined);
  },
  async check(ctx) {
    const r = await replay(ctx);
    if (!r) return [];
    const f = r.failure;
    if (f?.syntax) return skip(`the migrations were not replayed: ${f.file}:${lineOf(ctx, f.file, f.offset)} does not parse (see migrations/syntax)`);
    if (f?.setup) return [{ file: f.file, line: 1, messageId: 'no-database', data: { message: f.message }, key: 'replay:setup' }];
    const out: PolicyFinding[] = [];
    const name = r.engine === 'pglite' ? 'PGlite' : 'Postgres';
    if (f) {
      out.push({
        file: f.file,
        offset: f.offset,
        messageId: 'fails',
        data: { engine: r.engineMajor ? `${name} ${r.engineMajor}` : name, message: f.message, sqlstate: f.code ? ` (SQLSTATE ${f.code})` : '' },
        key: `replay:${f.code ?? ''}`,
      });
    }
    if (r.engineMajor && r.targetMajor && r.engineMajor !== r.targetMajor) {
      const data = { engine: r.engineMajor, name, target: r.targetMajor };
      const where = ctx.exists(PLATFORM_FILE) && /\bpostgres_major\s*:/.test(ctx.text(PLATFORM_FILE) ?? '')
        ? { file: PLATFORM_FILE, pointer: '/database/postgres_major' }
        : { file: r.applied[0] ?? f?.file ?? '', line: 1 };
      out.push({ ...where, messageId: 'engine-major', severity: 'warning', data, key: 'engine-major' });
    }
    for (const n of r.notices) {
      if (!n.message.includes('stub')) continue;
      out.push({ file: n.file, offset: n.offset, messageId: 'stub', severity: 'notice', data: { message: n.message }, key: `stub:${n.message}` });
    }
    return out;
  },
});
